/**
 * Speed-ups for the @keyv/sqlite adapter, applied to an adapter instance we hold. The stock adapter
 * writes one row per query (Keyv falls back to one `set` per entry), looks rows up with an O(n²) find
 * in `getMany` and reads before deleting; at a million IDs those dominate. The replacements keep its
 * table layout and value format, so the file stays a normal Keyv SQLite store.
 */

// biome-ignore lint/suspicious/noExplicitAny: sqlite3 rows are untyped
type Query = (sql: string, ...params: unknown[]) => Promise<any[]>;

export interface SqliteLikeAdapter {
  query: Query;
  opts: { table?: string; dialect?: string; db?: string };
  getMany?: (keys: string[]) => Promise<unknown[]>;
  setMany?: (entries: { key: string; value: unknown }[]) => Promise<boolean[]>;
  deleteMany?: (keys: string[]) => Promise<boolean>;
}

export function isSqliteAdapter(store: unknown): store is SqliteLikeAdapter {
  const candidate = store as Partial<SqliteLikeAdapter> | undefined;
  return typeof candidate?.query === 'function' && candidate.opts?.dialect === 'sqlite';
}

/** SQLite's default limit on bound JSON text is large, but batches keep each statement quick. */
const CHUNK = 5000;

export function tuneSqliteAdapter(adapter: SqliteLikeAdapter): void {
  const table = adapter.opts.table ?? 'keyv';
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
  adapter.setMany = async (entries) => {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const part = entries.slice(i, i + CHUNK).map((entry) => [entry.key, entry.value]);
      await adapter.query(
        `INSERT INTO ${table} (key, value)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true
         ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
        JSON.stringify(part),
      );
    }
    return entries.map(() => true);
  };
  adapter.deleteMany = async (keys) => {
    for (let i = 0; i < keys.length; i += CHUNK) {
      await adapter.query(
        `DELETE FROM ${table} WHERE key IN (SELECT value FROM json_each(?))`,
        JSON.stringify(keys.slice(i, i + CHUNK)),
      );
    }
    return true;
  };
}
