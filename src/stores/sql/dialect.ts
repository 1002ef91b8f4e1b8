/**
 * What differs between the SQL databases that hold results. Everything else (tables, upserts,
 * reads, keyset paging) is written once in this folder against this interface; a new database
 * needs a dialect and a store file that adapts its driver.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The placeholder of the n-th parameter (1-based). Statements use each parameter once, in order. */
  param(n: number): string;
  /** A table's name as statements write it (schema-qualified where the database has schemas). */
  table(name: string): string;
  readonly types: {
    /** Counters and epoch milliseconds. */
    integer: string;
    /** A 0/1 flag. */
    flag: string;
    /** Text that keys, orders and compares like IDs: byte order, the same in every database. */
    orderedText: string;
  };
  /** Scalar two-argument minimum and maximum. */
  readonly least: string;
  readonly greatest: string;
  /** `column` is not one of the strings in the list parameter `param` (a value from `listValue`). */
  notInList(column: string, param: string): string;
  listValue(values: readonly string[]): unknown;
  /**
   * Rows per multi-row INSERT. In-process SQLite: one row per statement, so one prepared statement
   * serves every row. PostgreSQL: each statement is a round trip, so many rows (13 parameters a row
   * stays far below its limit of 65,535).
   */
  readonly insertBatchRows: number;
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  param: () => '?',
  table: (name) => name,
  types: { integer: 'INTEGER', flag: 'INTEGER', orderedText: 'TEXT' },
  least: 'min',
  greatest: 'max',
  notInList: (column, param) => `${column} NOT IN (SELECT value FROM json_each(${param}))`,
  listValue: (values) => JSON.stringify(values),
  insertBatchRows: 1,
};

/** A quoted identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** PostgreSQL with the result tables in `schema`. */
export function postgresDialect(schema: string): SqlDialect {
  const s = quoteIdent(schema);
  return {
    name: 'postgres',
    param: (n) => `$${n}`,
    table: (name) => `${s}.${name}`,
    types: { integer: 'BIGINT', flag: 'SMALLINT', orderedText: 'TEXT COLLATE "C"' },
    least: 'LEAST',
    greatest: 'GREATEST',
    notInList: (column, param) => `NOT (${column} = ANY(${param}::text[]))`,
    listValue: (values) => [...values],
    insertBatchRows: 1_000,
  };
}
