import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CrawlError } from '../core/errors.js';
import { outputPathError, temporarySibling } from '../export/atomic-file.js';

const USER_PAGE_NAME = /^[A-Za-z0-9_-]*-[0-9a-f]{10}\.html$/;

/** Fails early, with one line, when `outDir` cannot take a report (a file, unwritable, …). */
export async function checkReportDir(outDir: string): Promise<void> {
  const info = await stat(outDir).catch(() => undefined);
  if (info && !info.isDirectory()) throw outputPathError(outDir, { code: 'ENOTDIR_FILE' });
  let probe = info ? outDir : path.dirname(outDir);
  // The nearest existing ancestor decides whether the folder can be created.
  for (;;) {
    const here = await stat(probe).catch(() => undefined);
    if (here) {
      if (!here.isDirectory()) throw outputPathError(outDir, { code: 'ENOTDIR' });
      break;
    }
    const up = path.dirname(probe);
    if (up === probe) break;
    probe = up;
  }
  try {
    await access(probe, constants.W_OK);
  } catch (error) {
    throw outputPathError(outDir, error);
  }
}

async function filesBelow(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

/**
 * Builds the report in a staging folder beside `outDir`, then moves each file in with a rename
 * (index.html last) and removes user pages the new build no longer has. A build that fails leaves
 * the previous report as it was; each page is replaced whole, never half written.
 */
export async function buildIntoPlace<T>(outDir: string, build: (staging: string) => Promise<T>): Promise<T> {
  const target = path.resolve(outDir);
  await checkReportDir(target);
  await mkdir(path.dirname(target), { recursive: true }).catch((error) => {
    throw outputPathError(outDir, error);
  });
  const staging = temporarySibling(target);
  try {
    const result = await build(staging);
    const files = (await filesBelow(staging)).sort((a, b) =>
      a === 'index.html' ? 1 : b === 'index.html' ? -1 : a.localeCompare(b),
    );
    const made = new Set<string>();
    for (const rel of files) {
      const dest = path.join(target, rel);
      const dir = path.dirname(dest);
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      await rename(path.join(staging, rel), dest);
    }
    const kept = new Set(files.filter((f) => f.startsWith(`users${path.sep}`)).map((f) => path.basename(f)));
    const usersDir = path.join(target, 'users');
    await mkdir(usersDir, { recursive: true });
    for (const name of await readdir(usersDir).catch(() => [] as string[])) {
      if (USER_PAGE_NAME.test(name) && !kept.has(name)) await rm(path.join(usersDir, name), { force: true });
    }
    return result;
  } catch (error) {
    // File system errors of the output side (disk full, permissions) are the user's to fix.
    const code = (error as NodeJS.ErrnoException)?.code;
    if (!(error instanceof CrawlError) && typeof code === 'string' && code.startsWith('E')) {
      throw outputPathError(outDir, error);
    }
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
