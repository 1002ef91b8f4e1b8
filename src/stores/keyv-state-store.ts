import Keyv from 'keyv';
import { StoreError } from '../core/errors.js';
import { StateStoreRuntime } from '../core/state-store-runtime/index.js';
import { replaceConnection, type SqliteLikeAdapter, tuneSqliteAdapter } from './keyv-sqlite-tuning.js';
import { KeyvStateBackend } from './keyv-state/backend.js';
import { checkStateFile, settleFormat } from './keyv-state/format.js';
import { prepareSqliteFile } from './sqlite-file-guard.js';

export interface KeyvStateStoreOptions {
  /** Any Keyv instance (its namespace is used). Wins over `path`. */
  keyv?: Keyv;
  /** A SQLite file, opened through @keyv/sqlite. */
  path?: string;
  /** Keyv namespace when the store creates the Keyv; default `csdn-crawl`. */
  namespace?: string;
  /** How long a writer waits for another process's transaction on the SQLite file; default 15 s. */
  busyTimeoutMs?: number;
  /** Heartbeats older than this are not listed by `workers()`; default 30 s. */
  workerTtlMs?: number;
}

/**
 * The ID sets on any Keyv store (see keyv-state/backend.ts). On a SQLite file each operation is one
 * transaction, so several processes may share the file; other Keyv backends are for one process.
 */
export class KeyvStateStore extends StateStoreRuntime<Keyv> {
  constructor(keyv: Keyv, label: string, ownsKeyv: boolean, workerTtlMs?: number) {
    super(new KeyvStateBackend(keyv, label, ownsKeyv, workerTtlMs));
  }

  /** Writes the format marker on a new store, or checks (and upgrades) it on an existing one. */
  async init(): Promise<void> {
    const backend = this.backend as KeyvStateBackend;
    await this.wrapFaults(() => backend.run((work) => settleFormat(work, backend.label)));
  }
}

/**
 * Opens the ID sets: on the given Keyv, on a SQLite file (`path`), or in memory (neither).
 * A file that is not SQLite, or SQLite that is not a state store, is refused and left untouched.
 */
export async function openKeyvStateStore(options: KeyvStateStoreOptions = {}): Promise<KeyvStateStore> {
  if (options.keyv) {
    const label = `Keyv store (namespace ${options.keyv.namespace ?? 'none'})`;
    return initialized(new KeyvStateStore(options.keyv, label, false, options.workerTtlMs));
  }
  const namespace = options.namespace ?? 'csdn-crawl';
  if (!options.path) {
    const keyv = new Keyv({ namespace, throwOnErrors: true });
    return initialized(new KeyvStateStore(keyv, 'memory state store', true, options.workerTtlMs));
  }
  const what = 'state store';
  const { file, existing } = await prepareSqliteFile(options.path, what);
  if (existing) await checkStateFile(file, what);
  const { KeyvSqlite } = await import('@keyv/sqlite');
  const adapter = new KeyvSqlite({
    uri: `sqlite://${file}`,
    busyTimeout: options.busyTimeoutMs ?? 15_000,
    // The adapter's iterator recurses once per page: a small page overflows the stack on big stores.
    iterationLimit: 10_000,
  });
  adapter.on('error', () => undefined);
  const sqlite = adapter as unknown as SqliteLikeAdapter & { close: () => Promise<void> };
  try {
    // Our own connection: PRAGMAs on the underlying database, and one round trip for writes + COMMIT.
    tuneSqliteAdapter(sqlite, await replaceConnection(sqlite, file, options.busyTimeoutMs ?? 15_000));
  } catch (error) {
    throw new StoreError(`cannot open the state store ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check the file and its directory permissions',
    });
  }
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
  return initialized(new KeyvStateStore(keyv, file, true, options.workerTtlMs));
}

async function initialized(store: KeyvStateStore): Promise<KeyvStateStore> {
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
