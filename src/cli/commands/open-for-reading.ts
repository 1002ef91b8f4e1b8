import { stat } from 'node:fs/promises';
import { defaultResultsSpec, defaultStateSpec } from '../../config/data-dir.js';
import type { ResolvedConfig } from '../../config/schema.js';
import { StoreError } from '../../core/errors.js';
import type { ResultStore } from '../../core/result-store.js';
import type { StateStore } from '../../core/state-store.js';
import { openResultStore, openStateStore, parseStoreSpec } from '../../stores/open.js';
import {
  emptyResults,
  openReadonlyResultStore,
  openReadonlyStateStore,
} from '../../stores/readonly-sqlite.js';
import { emptyFile } from '../../stores/sqlite-file-guard.js';

/*
 * `status`, `export` and `report` only read: on local files they open them read-only and create
 * nothing (no data directory, no database, no -wal/-shm), so they work on a read-only copy of a
 * crawl and never turn a mistyped --data-dir into a new empty store.
 */

/** Size of a store file; undefined when it does not exist yet. Any other trouble is one line, exit 3. */
async function fileSize(file: string, what: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') return undefined;
    throw new StoreError(`cannot read the ${what} ${file} (${code})`, {
      cause,
      hint: code === 'ENOTDIR' ? 'a part of the path is a file: check --data-dir' : 'check its permissions',
    });
  }
}

/** The state store to read, or undefined when a local one does not exist yet. */
export async function openStateForReading(config: ResolvedConfig): Promise<StateStore | undefined> {
  const spec = defaultStateSpec(config);
  const parsed = parseStoreSpec(spec);
  if (parsed.kind !== 'sqlite') return openStateStore(spec);
  if ((await stat(parsed.target).catch(() => undefined))?.isDirectory()) return openStateStore(spec);
  const size = await fileSize(parsed.target, 'state store');
  if (size === undefined) return undefined;
  if (size === 0) throw emptyFile(parsed.target, 'state store');
  return openReadonlyStateStore(parsed.target);
}

/** The result store to read; a local one that does not exist yet reads as empty. */
export async function openResultsForReading(config: ResolvedConfig): Promise<ResultStore> {
  const spec = defaultResultsSpec(config);
  const parsed = parseStoreSpec(spec);
  if (parsed.kind !== 'sqlite') return openResultStore(spec);
  if ((await stat(parsed.target).catch(() => undefined))?.isDirectory()) return openResultStore(spec);
  const size = await fileSize(parsed.target, 'result store');
  if (size === undefined) return emptyResults();
  if (size === 0) throw emptyFile(parsed.target, 'result store');
  return openReadonlyResultStore(parsed.target);
}
