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
 * Numbers placeholders in the order they are written, so one statement text serves both `?` and
 * `$n`; the statement's values go in the same order.
 */
export class Placeholders {
  private count = 0;
  constructor(private readonly dialect: SqlDialect) {}

  next(): string {
    return this.dialect.param(++this.count);
  }

  /** `width` placeholders in parentheses. */
  row(width: number): string {
    return `(${Array.from({ length: width }, () => this.next()).join(', ')})`;
  }
}

/** Multi-row inserts have a text per row count: keep the memory bounded. */
const MAX_TEXTS = 64;
const texts = new WeakMap<SqlDialect, Map<string, string>>();

/**
 * A statement text that depends only on the dialect and `shape` (say, the row count), built once:
 * a user's save writes the same few texts many times, and the SQLite driver finds its prepared
 * statement by text.
 */
export function statementText(d: SqlDialect, shape: string, build: (p: Placeholders) => string): string {
  let byShape = texts.get(d);
  if (!byShape) {
    byShape = new Map();
    texts.set(d, byShape);
  }
  let text = byShape.get(shape);
  if (text === undefined) {
    text = build(new Placeholders(d));
    if (byShape.size < MAX_TEXTS) byShape.set(shape, text);
  }
  return text;
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
