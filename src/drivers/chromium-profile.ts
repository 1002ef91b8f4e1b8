import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'csdn-crawl-chromium-';

/** A fresh, empty --user-data-dir: no cookies or cache leak from one browser to the next. */
export function makeProfileDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), PREFIX));
}

/** Remove a profile made by makeProfileDir. Never throws: a leftover directory is not worth a failure. */
export async function removeProfileDir(dir: string | undefined): Promise<void> {
  if (!dir || !path.basename(dir).startsWith(PREFIX)) return;
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  } catch {
    // Chromium may still be writing for a moment after a kill; the OS cleans tmp eventually.
  }
}
