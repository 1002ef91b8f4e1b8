/**
 * Evidence files for failures: a screenshot, the HTML, and a JSON note (URL, error) per snapshot.
 * IDs and labels come from crawled data, so file names are derived safely: a sanitised prefix
 * for humans plus a hash of the raw value, never the raw value itself. A total size cap keeps a
 * failing week-long crawl from filling the disk.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withTimeout } from './deadline.js';
import { CrawlError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { SnapshotInput } from './site-adapter.js';

export interface SnapshotterOptions {
  dir: string;
  /** Total bytes the directory may hold; snapshots beyond it are skipped. Default 200 MB. */
  capBytes?: number;
  logger?: Logger;
  /** Deadline of the page operations (screenshot, content). Default 10 s. */
  pageTimeoutMs?: number;
}

export interface Snapshotter {
  /** Resolves with the path of the JSON note (its siblings share its base name), or undefined. */
  save(id: string, input: SnapshotInput): Promise<string | undefined>;
  bytesUsed(): number;
}

export function safeFileStem(raw: string, maxLength = 40): string {
  const readable = raw
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_.-]+/, '')
    .slice(0, maxLength);
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 10);
  return `${readable || 'x'}-${hash}`;
}

export function createSnapshotter(options: SnapshotterOptions): Snapshotter {
  const dir = path.resolve(options.dir);
  const cap = options.capBytes ?? 200 * 1024 * 1024;
  const log = options.logger ?? silentLogger;
  const pageTimeoutMs = options.pageTimeoutMs ?? 10_000;
  let used: number | undefined;
  let capLogged = false;
  let sequence = 0;

  async function measure(): Promise<number> {
    if (used !== undefined) return used;
    let total = 0;
    try {
      for (const name of await readdir(dir)) {
        try {
          total += (await stat(path.join(dir, name))).size;
        } catch {}
      }
    } catch {}
    used = total;
    return total;
  }

  async function save(id: string, input: SnapshotInput): Promise<string | undefined> {
    try {
      await mkdir(dir, { recursive: true });
      const current = await measure();
      if (current >= cap) {
        if (!capLogged)
          log.warn(`snapshot directory reached its cap of ${cap} bytes; no more snapshots`, { dir });
        capLogged = true;
        return undefined;
      }
      let screenshot: Uint8Array | undefined;
      let html = input.html;
      let url = input.url;
      if (input.page) {
        const page = input.page;
        screenshot = await withTimeout(
          page.screenshot({ timeoutMs: pageTimeoutMs }),
          pageTimeoutMs + 1000,
          'screenshot',
        ).catch(() => undefined);
        if (html === undefined) {
          html = await withTimeout(
            page.content({ timeoutMs: pageTimeoutMs }),
            pageTimeoutMs + 1000,
            'page content',
          ).catch(() => undefined);
        }
        if (url === undefined)
          url = await withTimeout(page.url(), pageTimeoutMs, 'page url').catch(() => undefined);
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const label = input.label ? `-${safeFileStem(input.label, 24)}` : '';
      const base = path.join(dir, `${safeFileStem(id)}${label}-${stamp}-${++sequence}`);
      const note = JSON.stringify(
        {
          id,
          label: input.label,
          url,
          at: new Date().toISOString(),
          error: describeForFile(input.error),
          files: {
            html: html !== undefined ? `${path.basename(base)}.html` : undefined,
            screenshot: screenshot ? `${path.basename(base)}.png` : undefined,
          },
        },
        null,
        2,
      );
      const htmlBytes = html !== undefined ? Buffer.byteLength(html) : 0;
      const total = note.length + htmlBytes + (screenshot?.byteLength ?? 0);
      if (current + total > cap) {
        if (!capLogged)
          log.warn(`snapshot directory reached its cap of ${cap} bytes; no more snapshots`, { dir });
        capLogged = true;
        return undefined;
      }
      used = current + total;
      if (html !== undefined) await writeFile(`${base}.html`, html, { mode: 0o600 });
      if (screenshot) await writeFile(`${base}.png`, screenshot, { mode: 0o600 });
      await writeFile(`${base}.json`, note, { mode: 0o600 });
      return `${base}.json`;
    } catch (error) {
      log.warn('could not save a snapshot', {
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  }

  return { save, bytesUsed: () => used ?? 0 };
}

function describeForFile(error: unknown): Record<string, unknown> | undefined {
  if (error === undefined) return undefined;
  if (error instanceof CrawlError)
    return { name: error.name, code: error.code, message: error.message, hint: error.hint };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { message: String(error) };
}
