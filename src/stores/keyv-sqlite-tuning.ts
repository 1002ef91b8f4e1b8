/**
 * Speed-ups for the @keyv/sqlite adapter, applied to an adapter instance we hold. The stock adapter
 * writes one row per query (Keyv falls back to one `set` per entry), looks rows up with an O(n²) find
 * in `getMany` and reads before deleting; at a million IDs those dominate. The replacements keep its
 * table layout and value format, so the file stays a normal Keyv SQLite store.
 *
 * Every sqlite3 call is a round trip through libuv's thread pool (≈0.1–0.3 ms), so writes can also be
 * deferred: while a batch is open, `setMany`/`deleteMany` only collect SQL, and `commitBatch` sends it
 * together with the COMMIT in one `exec`.
 */

// biome-ignore lint/suspicious/noExplicitAny: sqlite3 rows are untyped
type Row = any;
type Query = (sql: string, ...params: unknown[]) => Promise<Row[]>;

export interface SqliteLikeAdapter {
  query: Query;
  opts: { table?: string; dialect?: string; db?: string };
  getMany?: (keys: string[]) => Promise<unknown[]>;
  setMany?: (entries: { key: string; value: unknown }[]) => Promise<boolean[]>;
  deleteMany?: (keys: string[]) => Promise<boolean>;
  /** Present on adapters opened by `sqliteConnection`: see `openBatch`/`commitBatch`. */
  batching?: SqliteBatching;
}

export interface SqliteBatching {
  /** From now on, writes are collected instead of sent. */
  open(): void;
  /** Sends the collected writes and COMMIT in one round trip, and stops collecting. */
  commit(): Promise<void>;
  /** Drops the collected writes (the caller rolls back). */
  discard(): void;
}

export function isSqliteAdapter(store: unknown): store is SqliteLikeAdapter {
  const candidate = store as Partial<SqliteLikeAdapter> | undefined;
  return typeof candidate?.query === 'function' && candidate.opts?.dialect === 'sqlite';
}

/** Batches keep each statement's JSON argument moderate. */
const CHUNK = 5000;

/** A SQL string literal. JSON.stringify escapes control characters, so only quotes need doubling. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

interface Exec {
  exec(sql: string): Promise<void>;
}

/**
 * Swaps the adapter's sqlite3 connection for one we open ourselves: PRAGMAs (WAL, synchronous=NORMAL,
 * busy timeout) are set on the underlying database, and its `exec` (several statements in one call)
 * becomes available. KeyvSqlite ignores a `connect` option, so its own connection is first allowed to
 * finish creating the table, then closed; `query` and `close` are public fields of the adapter.
 */
export async function replaceConnection(
  adapter: SqliteLikeAdapter & { close: () => Promise<void> },
  file: string,
  busyTimeoutMs: number,
): Promise<Exec> {
  await adapter.close();
  const { default: sqlite3 } = await import('sqlite3');
  const db = await new Promise<import('sqlite3').Database>((resolve, reject) => {
    const handle = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(handle)));
  });
  db.configure('busyTimeout', busyTimeoutMs);
  // Statements run strictly in call order, so a transaction may send BEGIN without waiting for it.
  db.serialize();
  const query: Query = (sql, ...params) =>
    new Promise<Row[]>((resolve, reject) => {
      db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows)));
    });
  const exec = (sql: string) =>
    new Promise<void>((resolve, reject) => {
      db.exec(sql, (error) => (error ? reject(error) : resolve()));
    });
  try {
    await query('PRAGMA journal_mode=WAL');
    await query('PRAGMA synchronous=NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  adapter.query = query;
  adapter.close = () =>
    new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
  return { exec };
}

export function tuneSqliteAdapter(adapter: SqliteLikeAdapter, connection?: Exec): void {
  const table = adapter.opts.table ?? 'keyv';
  let pending: string[] | undefined;

  adapter.getMany = async (keys) => {
    const found = new Map<string, unknown>();
    for (let i = 0; i < keys.length; i += CHUNK) {
      const part = keys.slice(i, i + CHUNK);
      const rows = await adapter.query(
        `SELECT key, value FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`,
        JSON.stringify(part),
      );
      for (const row of rows) found.set(row.key, row.value);
    }
    return keys.map((key) => found.get(key));
  };

  const upsert = (json: string) =>
    `INSERT INTO ${table} (key, value)
     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${json}) WHERE true
     ON CONFLICT(key) DO UPDATE SET value = excluded.value`;
  const remove = (json: string) => `DELETE FROM ${table} WHERE key IN (SELECT value FROM json_each(${json}))`;

  adapter.setMany = async (entries) => {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const json = JSON.stringify(entries.slice(i, i + CHUNK).map((entry) => [entry.key, entry.value]));
      if (pending) pending.push(upsert(literal(json)));
      else await adapter.query(upsert('?'), json);
    }
    return entries.map(() => true);
  };

  adapter.deleteMany = async (keys) => {
    for (let i = 0; i < keys.length; i += CHUNK) {
      const json = JSON.stringify(keys.slice(i, i + CHUNK));
      if (pending) pending.push(remove(literal(json)));
      else await adapter.query(remove('?'), json);
    }
    return true;
  };

  if (!connection) return;
  adapter.batching = {
    open() {
      pending = [];
    },
    async commit() {
      const statements = pending ?? [];
      pending = undefined;
      statements.push('COMMIT');
      await connection.exec(statements.join(';\n'));
    },
    discard() {
      pending = undefined;
    },
  };
}
