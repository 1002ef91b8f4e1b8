import { stat } from 'node:fs/promises';
import { defaultResultsSpec, defaultStateSpec } from '../../config/data-dir.js';
import type { ResolvedConfig } from '../../config/schema.js';
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

async function fileSize(file: string): Promise<number | undefined> {
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? info.size : undefined;
}

/** The state store to read, or undefined when a local one does not exist yet. */
export async function openStateForReading(config: ResolvedConfig): Promise<StateStore | undefined> {
  const spec = defaultStateSpec(config);
  const parsed = parseStoreSpec(spec);
  if (parsed.kind !== 'sqlite') return openStateStore(spec);
  const size = await fileSize(parsed.target);
  if (size === undefined) {
    // A directory where the file should be is the normal open's error to report.
    if (await stat(parsed.target).catch(() => undefined)) return openStateStore(spec);
    return undefined;
  }
  if (size === 0) throw emptyFile(parsed.target, 'state store');
  return openReadonlyStateStore(parsed.target);
}

/** The result store to read; a local one that does not exist yet reads as empty. */
export async function openResultsForReading(config: ResolvedConfig): Promise<ResultStore> {
  const spec = defaultResultsSpec(config);
  const parsed = parseStoreSpec(spec);
  if (parsed.kind !== 'sqlite') return openResultStore(spec);
  const size = await fileSize(parsed.target);
  if (size === undefined) {
    if (await stat(parsed.target).catch(() => undefined)) return openResultStore(spec);
    return emptyResults();
  }
  if (size === 0) throw emptyFile(parsed.target, 'result store');
  return openReadonlyResultStore(parsed.target);
}
