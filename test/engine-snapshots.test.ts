import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserPage } from '../src/core/browser-driver.js';
import { createEngine } from '../src/core/engine/index.js';
import { ParseError, TimeoutError } from '../src/core/errors.js';
import type { CrawlContext, PageLease, SiteAdapter } from '../src/core/site-adapter.js';
import { createSnapshotter, safeFileStem } from '../src/core/snapshots.js';
import { createHttpClient } from '../src/drivers/http.js';
import { engineOptions, openTestStores, type TestStores } from './engine-helpers.js';

const dirs: string[] = [];
let stores: TestStores | undefined;
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  await stores?.close();
  stores = undefined;
});

async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'snap-test-'));
  dirs.push(dir);
  return dir;
}

function fakePage(): BrowserPage & { closed: boolean } {
  return {
    closed: false,
    async goto() {
      return { status: 200 };
    },
    async url() {
      return 'http://site.example/page';
    },
    async content() {
      return '<html>from the page</html>';
    },
    async click() {},
    async waitForSelector() {
      return true;
    },
    async evaluate<T>() {
      return undefined as T;
    },
    async cookies() {
      return [];
    },
    async setCookies() {},
    async screenshot() {
      return new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    },
    async close() {
      this.closed = true;
    },
    raw: undefined,
  };
}

describe('snapshots', () => {
  it('derives safe file names from hostile IDs', () => {
    for (const hostile of ['../../etc/passwd', '/abs/path', 'a\0b', '..', 'CON', '名字', 'x'.repeat(500)]) {
      const stem = safeFileStem(hostile);
      expect(stem).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(stem.length).toBeLessThanOrEqual(51);
    }
    expect(safeFileStem('a/b')).not.toBe(safeFileStem('a_b'));
  });

  it('writes HTML, screenshot and a JSON note inside the directory', async () => {
    const dir = await tempDir();
    const snap = createSnapshotter({ dir });
    const file = await snap.save('../../evil', {
      page: fakePage(),
      label: 'pager stuck/../x',
      error: new ParseError('bad page'),
    });
    expect(file).toBeDefined();
    expect(path.dirname(file!)).toBe(dir);
    const names = await readdir(dir);
    expect(names.length).toBe(3);
    expect(names.some((n) => n.endsWith('.png'))).toBe(true);
    const note = JSON.parse(await readFile(file!, 'utf8'));
    expect(note).toMatchObject({
      id: '../../evil',
      url: 'http://site.example/page',
      error: { code: 'PARSE' },
    });
    expect(await readFile(file!.replace(/\.json$/, '.html'), 'utf8')).toBe('<html>from the page</html>');
  });

  it('stops writing at the size cap', async () => {
    const dir = await tempDir();
    const snap = createSnapshotter({ dir, capBytes: 3000 });
    expect(await snap.save('a', { html: 'x'.repeat(1000) })).toBeDefined();
    expect(await snap.save('b', { html: 'x'.repeat(1000) })).toBeDefined();
    expect(await snap.save('c', { html: 'x'.repeat(1000) })).toBeUndefined();
    expect((await readdir(dir)).length).toBe(4);
  });
});

describe('engine context: browser pages', () => {
  function browserAdapter(): SiteAdapter {
    return {
      name: 'needs-browser',
      normalizeId: (input) => input,
      async crawlUser(id: string, context: CrawlContext) {
        const lease = await context.page();
        await lease.page.goto(`http://site.example/${id}`, { timeoutMs: 1000 });
        return { username: id, profile: { username: id }, articles: [], source: 'legacy-browser' };
      },
    };
  }

  it('fails a user that needs a browser when none is configured, with the reason', async () => {
    stores = await openTestStores();
    const http = createHttpClient();
    const failed: string[] = [];
    const engine = createEngine(
      engineOptions({
        site: browserAdapter(),
        state: stores.state,
        results: stores.results,
        http,
        ids: ['u1'],
        snapshotsDir: path.join(stores.dir, 'snaps'),
      }),
    );
    engine.on('userFailed', (e) => failed.push(`${e.code}: ${e.reason}`));
    expect(await engine.run()).toMatchObject({ failed: 1 });
    expect(failed[0]).toMatch(/^MISSING_DEPENDENCY: .*no.*browser/);
    http.close();
  });

  it('leases pages from the injected pool and gives them back', async () => {
    stores = await openTestStores();
    const http = createHttpClient();
    const pages: ReturnType<typeof fakePage>[] = [];
    let released = 0;
    const pool = {
      available: true,
      async lease(): Promise<PageLease> {
        const page = fakePage();
        pages.push(page);
        return {
          page,
          release: async () => {
            released++;
          },
        };
      },
      async close() {},
    };
    const engine = createEngine(
      engineOptions({
        site: browserAdapter(),
        state: stores.state,
        results: stores.results,
        http,
        ids: ['u1', 'u2'],
        pagePool: pool,
        snapshotsDir: path.join(stores.dir, 'snaps'),
      }),
    );
    expect(await engine.run()).toMatchObject({ done: 2 });
    expect(pages.length).toBe(2);
    expect(released).toBe(2);
    expect((await stores.results.getUser('u2'))?.source).toBe('legacy-browser');
    http.close();
  });

  it('a page leased by an adapter that ignored its deadline goes straight back to the pool', async () => {
    stores = await openTestStores();
    const http = createHttpClient();
    let leased = 0;
    let released = 0;
    let lateError: unknown;
    const pool = {
      available: true,
      async lease(): Promise<PageLease> {
        leased++;
        return {
          page: fakePage(),
          release: async () => {
            released++;
          },
        };
      },
      async close() {},
    };
    const stubborn: SiteAdapter = {
      name: 'stubborn',
      normalizeId: (input) => input,
      async crawlUser(id: string, context: CrawlContext) {
        await new Promise((resolve) => setTimeout(resolve, 300)); // ignores context.signal
        try {
          await context.page();
        } catch (error) {
          lateError = error;
          throw error;
        }
        return { username: id, profile: { username: id }, articles: [], source: 'api' };
      },
    };
    const engine = createEngine(
      engineOptions({
        site: stubborn,
        state: stores.state,
        results: stores.results,
        http,
        ids: ['u1'],
        pagePool: pool,
        userTimeoutMs: 100,
        retries: { maxAttempts: 1 },
        snapshotsDir: path.join(stores.dir, 'snaps'),
      }),
    );
    expect(await engine.run()).toMatchObject({ failed: 1 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(leased).toBe(1);
    expect(released).toBe(1);
    expect(lateError).toBeInstanceOf(TimeoutError);
    http.close();
  });
});
