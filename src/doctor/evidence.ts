import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DoctorCheck } from '../core/doctor.js';
import type { HttpResponse } from '../core/http-client.js';

/** Replace a file atomically: a reader sees the old file or the new one, never half of one. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, file);
}

/** `2026-12-02T04-30-00-123Z`: sortable, and valid on every file system. */
function stamp(now: Date): string {
  return now.toISOString().replace(/:/g, '-').replace('.', '-');
}

/** A fresh directory under `<root>`, never an existing one (two doctors in the same millisecond). */
async function freshDir(root: string, now: Date): Promise<string> {
  await mkdir(root, { recursive: true });
  for (let n = 0; ; n++) {
    const dir = path.join(root, n === 0 ? stamp(now) : `${stamp(now)}-${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw error;
    }
  }
}

/**
 * Save every non-ok check's response (url, status, headers, raw body) as `response-NN.json`
 * plus `checks.json` listing every check with the response file it was judged on. File names
 * are counters, never anything the site or the user wrote. Resolves with the directory.
 */
export async function saveDoctorEvidence(
  root: string,
  checks: DoctorCheck[],
  now = new Date(),
): Promise<string> {
  const dir = await freshDir(root, now);
  const files = new Map<HttpResponse, string>();
  for (const check of checks) {
    if (!check.response || files.has(check.response)) continue;
    const name = `response-${String(files.size + 1).padStart(2, '0')}.json`;
    files.set(check.response, name);
    const { url, status, headers, body } = check.response;
    await writeAtomic(path.join(dir, name), `${JSON.stringify({ url, status, headers, body }, null, 2)}\n`);
  }
  const listing = checks.map(({ response, ...rest }) => ({
    ...rest,
    url: response?.url,
    evidence: response ? files.get(response) : undefined,
  }));
  await writeAtomic(path.join(dir, 'checks.json'), `${JSON.stringify(listing, null, 2)}\n`);
  return dir;
}
