import type BetterSqlite3 from 'better-sqlite3';
import { CrawlError, StoreError } from '../core/errors.js';
import { sqliteDialect } from './sql/dialect.js';
import type { SqlOutcome, SqlProgram, SqlStatement } from './sql/program.js';
import { installResultSchema, RESULTS_APP } from './sql/schema.js';
import { SqlResultStore } from './sql/sql-result-store.js';
import { foreignFile, prepareSqliteFile, readSqliteTables } from './sqlite-file-guard.js';
import { sqliteFault } from './store-fault.js';

export type { UserArticle } from './sql/sql-result-store.js';

export interface SqliteResultStoreOptions {
  /** How long a writer waits for another process's transaction; default 15 s. */
  busyTimeoutMs?: number;
}

/** Runs a program synchronously on `db`, preparing each statement text once. */
export function runSync<T>(
  db: BetterSqlite3.Database,
  prepared: Map<string, BetterSqlite3.Statement>,
  program: SqlProgram<T>,
): T {
  const execute = (statement: SqlStatement): SqlOutcome => {
    if (statement.kind === 'script') {
      db.exec(statement.sql);
      return { rows: [], changes: 0 };
    }
    let stmt = prepared.get(statement.sql);
    if (!stmt) {
      stmt = db.prepare(statement.sql);
      prepared.set(statement.sql, stmt);
    }
    if (statement.kind === 'rows')
      return { rows: stmt.all(...statement.params) as SqlOutcome['rows'], changes: 0 };
    return { rows: [], changes: stmt.run(...statement.params).changes };
  };
  let step = program.next();
  while (!step.done) step = program.next(execute(step.value));
  return step.value;
}

/**
 * Results in one SQLite file (better-sqlite3). WAL and a busy timeout let several processes write the
 * same file; every user is written in one IMMEDIATE transaction, and every write is an upsert.
 */
export class SqliteResultStore extends SqlResultStore {
  readonly raw: BetterSqlite3.Database;
  private readonly prepared = new Map<string, BetterSqlite3.Statement>();
  private readonly transact: (program: SqlProgram<void>) => void;

  constructor(
    db: BetterSqlite3.Database,
    readonly file: string,
  ) {
    super(sqliteDialect, file);
    this.raw = db;
    const transaction = db.transaction((program: SqlProgram<void>) => runSync(db, this.prepared, program));
    this.transact = (program) => transaction.immediate(program);
  }

  protected async write(program: SqlProgram<void>): Promise<void> {
    this.transact(program);
  }

  protected async read<T>(program: SqlProgram<T>): Promise<T> {
    return runSync(this.raw, this.prepared, program);
  }

  protected fault(error: unknown, what: string): Error {
    return sqliteFault(error, 'result store', this.file, what);
  }

  protected async closeDriver(): Promise<void> {
    if (this.raw.open) this.raw.close();
  }
}

/**
 * Opens (or creates) the results file. A file that is not SQLite, or SQLite without the results
 * schema, is refused and left untouched.
 */
export async function openSqliteResultStore(
  path: string,
  options: SqliteResultStoreOptions = {},
): Promise<SqliteResultStore> {
  const what = 'result store';
  const inMemory = path === ':memory:';
  const { file, existing } = inMemory ? { file: path, existing: false } : await prepareSqliteFile(path, what);
  if (existing) await checkResultFile(file, what);
  const { default: Database } = await import('better-sqlite3');
  let db: BetterSqlite3.Database;
  try {
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 15_000 });
  } catch (error) {
    throw new StoreError(`cannot open the result store ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check the file and its directory permissions',
    });
  }
  try {
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const install = installResultSchema(sqliteDialect, {
      createTables: true,
      where: file,
      newerHint: 'upgrade csdn-crawl, or use another results file',
    });
    db.transaction(() => runSync(db, new Map(), install)).immediate();
  } catch (error) {
    db.close();
    if (error instanceof CrawlError) throw error;
    throw new StoreError(`cannot prepare the result store ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check the disk (space, permissions)',
    });
  }
  return new SqliteResultStore(db, file);
}

async function checkResultFile(file: string, what: string): Promise<void> {
  let ours = false;
  const tables = await readSqliteTables(file, what, (db) => {
    const has = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
      .get();
    if (has) ours = !!db.prepare('SELECT 1 FROM schema_version WHERE app = ?').get(RESULTS_APP);
  });
  if (ours) return;
  if (tables.filter((name) => !name.startsWith('sqlite_')).length === 0) return;
  throw foreignFile(file, what, 'is a SQLite database of another program (no csdn-crawl results in it)');
}
