import { readFile, stat } from 'node:fs/promises';
import type BetterSqlite3 from 'better-sqlite3';
import Keyv from 'keyv';
import { CrawlError } from '../core/errors.js';
import type { ResultStore } from '../core/result-store.js';
import type { StateStore } from '../core/state-store.js';
import { KeyvStateStore } from './keyv-state-store.js';
import { sqliteDialect } from './sql/dialect.js';
import { installResultSchema, RESULTS_APP, RESULTS_SCHEMA_VERSION } from './sql/schema.js';
import { foreignFile } from './sqlite-file-guard.js';
import { runSync, SqliteResultStore } from './sqlite-result-store.js';

/*
 * Read-only opening for the commands that only read (`status`, `export`, `report`): they work on a
 * read-only data directory and leave no file behind. SQLite in WAL mode would create -wal/-shm files
 * next to the database even for a reader, so a database without a live -wal file is read as an
 * in-memory copy (its header switched to the rollback journal, which a private copy may use). With
 * a -wal file present, a writer is at work: a plain read-only connection then sees its latest commits.
 */

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

export async function openSqliteReadonly(file: string, what: string): Promise<BetterSqlite3.Database> {
  const { default: Database } = await import('better-sqlite3');
  try {
    if (await exists(`${file}-wal`)) {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return db;
    }
    const bytes = await readFile(file);
    // Bytes 18-19: file format write/read version, 2 = WAL. A private copy needs no WAL.
    if (bytes.length >= 20 && bytes[18] === 2) bytes.fill(1, 18, 20);
    const db = new Database(bytes, { readonly: true });
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    throw foreignFile(file, what, 'cannot be read as a SQLite database', error);
  }
}

function tableNames(db: BetterSqlite3.Database): string[] {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return rows.map((row) => row.name);
}

/** A Map whose reads come from a read-only @keyv/sqlite table; any write is a bug, so it throws. */
class ReadonlyKeyvTable extends Map<string, unknown> {
  constructor(private readonly db: BetterSqlite3.Database | undefined) {
    super();
  }
  override get(key: string): unknown {
    const row = this.db?.prepare('SELECT value FROM keyv WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }
  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  override set(): this {
    throw new Error('read-only state store');
  }
  override delete(): boolean {
    throw new Error('read-only state store');
  }
  override clear(): void {
    throw new Error('read-only state store');
  }
}

/** The state store of an existing SQLite file, for reading only (checked like a normal open). */
export async function openReadonlyStateStore(file: string): Promise<StateStore> {
  const what = 'state store';
  const db = await openSqliteReadonly(file, what);
  const tables = tableNames(db);
  const own = tables.filter((name) => !name.startsWith('sqlite_'));
  if (own.some((name) => name !== 'keyv')) {
    db.close();
    throw foreignFile(file, what, 'is a SQLite database of another program (no csdn-crawl state in it)');
  }
  const keyv = new Keyv({
    store: new ReadonlyKeyvTable(own.length > 0 ? db : undefined),
    namespace: 'csdn-crawl',
    throwOnErrors: true,
  });
  const store = new KeyvStateStore(keyv, file, false);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    db.close();
  };
  return store;
}

/** The result store of an existing SQLite file, for reading only. */
export async function openReadonlyResultStore(file: string): Promise<ResultStore> {
  const what = 'result store';
  const db = await openSqliteReadonly(file, what);
  const tables = tableNames(db);
  if (tables.filter((name) => !name.startsWith('sqlite_')).length === 0) {
    db.close();
    return emptyResults();
  }
  try {
    const ours =
      tables.includes('schema_version') && db.prepare('SELECT 1 FROM schema_version LIMIT 1').get();
    if (!ours)
      throw foreignFile(file, what, 'is a SQLite database of another program (no csdn-crawl results in it)');
    return new SqliteResultStore(await migratedCopy(db, file), file);
  } catch (error) {
    db.close();
    if (error instanceof CrawlError) throw error;
    // An older schema (a table this version adds is missing): the normal open migrates it.
    const { openSqliteResultStore } = await import('./sqlite-result-store.js');
    return openSqliteResultStore(file);
  }
}

/**
 * A results file of an older schema, read from a private in-memory copy: the copy is migrated
 * (the file is not touched). With a live -wal file there is no private copy; the reader then sees
 * the tables as they are, and history reads fail (an older csdn-crawl is writing that file).
 */
async function migratedCopy(db: BetterSqlite3.Database, file: string): Promise<BetterSqlite3.Database> {
  const row = db.prepare('SELECT version FROM schema_version WHERE app = ?').get(RESULTS_APP) as
    | { version: number }
    | undefined;
  if (!db.memory || !row || row.version >= RESULTS_SCHEMA_VERSION) return db;
  const { default: Database } = await import('better-sqlite3');
  const copy = new Database(db.serialize());
  db.close();
  const install = installResultSchema(sqliteDialect, { createTables: true, where: file, newerHint: '' });
  copy.transaction(() => runSync(copy, new Map(), install))();
  return copy;
}

/** No results file yet: an empty store that exists only in memory, so nothing is created on disk. */
export async function emptyResults(): Promise<ResultStore> {
  const { openSqliteResultStore } = await import('./sqlite-result-store.js');
  return openSqliteResultStore(':memory:');
}
