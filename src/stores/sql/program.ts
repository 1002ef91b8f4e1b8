import type { SqlDialect } from './dialect.js';
import type { Row } from './rows.js';

/**
 * The shared SQL is written as programs: generators that yield one statement at a time and get
 * its outcome back. A store steps through them with its driver: SQLite synchronously (inside
 * better-sqlite3's transaction, so a user's write never interleaves with another call), PostgreSQL
 * with an await per statement. The logic (which statement, what its outcome decides) is written once.
 */
export interface SqlStatement {
  sql: string;
  params: unknown[];
  /** rows: a query; run: a write whose changed-row count matters; script: several statements, no parameters. */
  kind: 'rows' | 'run' | 'script';
}

export interface SqlOutcome {
  rows: Row[];
  /** Rows inserted, updated or deleted by a `run`. */
  changes: number;
}

export type SqlProgram<T> = Generator<SqlStatement, T, SqlOutcome>;

/**
 * Collects parameter values in the order their placeholders are written, so one statement text
 * serves both `?` and `$n` placeholders.
 */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: SqlDialect) {}

  /** The placeholder for `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.param(this.values.length);
  }

  /** Placeholders for a row of values, in parentheses. */
  row(values: readonly unknown[]): string {
    return `(${values.map((value) => this.add(value)).join(', ')})`;
  }
}

export function query(sql: string, params: unknown[] = []): SqlStatement {
  return { sql, params, kind: 'rows' };
}

export function run(sql: string, params: unknown[] = []): SqlStatement {
  return { sql, params, kind: 'run' };
}

export function script(sql: string): SqlStatement {
  return { sql, params: [], kind: 'script' };
}

/** Splits `items` into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
