import type { Pool, PoolClient, PoolConfig } from 'pg';
import { CrawlError, InvalidInputError, StoreError } from '../core/errors.js';
import { redactUrl } from './redact.js';
import { postgresDialect, quoteIdent } from './sql/dialect.js';
import type { SqlProgram } from './sql/program.js';
import { installResultSchema, RESULT_TABLES, RESULTS_APP } from './sql/schema.js';
import { SqlResultStore } from './sql/sql-result-store.js';
import { postgresFault, ReconnectWindow } from './store-fault.js';

export interface PostgresResultStoreOptions {
  /** postgres:// or postgresql:// URL; `?schema=name` picks the schema (default `csdn_crawl`). */
  url?: string;
  /** Schema holding the tables; wins over the URL's `schema` parameter. */
  schema?: string;
  /** An existing pool to use instead of `url` (not ended by `close()`). */
  pool?: Pool;
  /** Pool size; default 4. */
  maxConnections?: number;
  /** Give up connecting after this long; default 5 s. */
  connectTimeoutMs?: number;
  /**
   * How long the server may stay unreachable mid-run before store calls fail for good (the run
   * then stops with exit 3); before that they fail as transient. Default 30 s.
   */
  reconnectWindowMs?: number;
}

type Queryable = Pick<PoolClient, 'query'>;

/** Runs a program with one awaited query per statement. */
async function runAsync<T>(client: Queryable, program: SqlProgram<T>): Promise<T> {
  let step = program.next();
  while (!step.done) {
    const { sql, params } = step.value;
    const result = await client.query(sql, params);
    step = program.next({ rows: result.rows, changes: result.rowCount ?? 0 });
  }
  return step.value;
}

/** Runs `body` in a transaction on a client of `pool`; deadlocks and serialization failures are retried. */
async function inTransaction<T>(pool: Pool, body: (client: PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let client: PoolClient | undefined;
    try {
      client = await pool.connect();
      await client.query('BEGIN');
      try {
        const value = await body(client);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code === '40P01' || code === '40001') && attempt < 5) continue;
      throw error;
    } finally {
      client?.release();
    }
  }
}

/**
 * Results in PostgreSQL, in their own schema. Each user is one transaction of upserts (articles and
 * edges in a few multi-row statements, in key order so concurrent writers cannot deadlock each other).
 */
export class PostgresResultStore extends SqlResultStore {
  readonly raw: Pool;
  private readonly reconnect: ReconnectWindow;

  constructor(
    pool: Pool,
    readonly schema: string,
    label: string,
    private readonly ownsPool: boolean,
    reconnectWindowMs = 30_000,
  ) {
    super(postgresDialect(schema), label);
    this.raw = pool;
    this.reconnect = new ReconnectWindow(reconnectWindowMs);
    // A client checked out of the pool has no 'error' listener of pg's own: when the server goes
    // away mid-transaction, the socket's error would be an uncaught exception killing the process.
    // The failed query rejects anyway, so the event itself can be ignored.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
  }

  protected async write(program: SqlProgram<void>): Promise<void> {
    await inTransaction(this.raw, (client) => runAsync(client, program));
    this.reconnect.ok();
  }

  protected async read<T>(program: SqlProgram<T>): Promise<T> {
    const value = await runAsync(this.raw, program);
    this.reconnect.ok();
    return value;
  }

  protected fault(error: unknown, what: string): Error {
    return postgresFault(error, this.label, what, this.reconnect);
  }

  /** Drops the whole schema (tests, `reset`). */
  async dropSchema(): Promise<void> {
    await this.guard('drop the schema', () =>
      this.raw.query(`DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`),
    );
  }

  protected async closeDriver(): Promise<void> {
    if (this.ownsPool && !this.raw.ended) await this.raw.end();
  }
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/**
 * Connects, checks the schema belongs to csdn-crawl (or is new) and creates the tables. A schema
 * with tables of another program is refused and left untouched.
 */
export async function openPostgresResultStore(
  options: PostgresResultStoreOptions,
): Promise<PostgresResultStore> {
  let url = options.url;
  let schema = options.schema;
  if (url) {
    const parsed = new URL(url);
    schema ??= parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    url = parsed.toString();
  }
  schema ??= 'csdn_crawl';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new InvalidInputError(`invalid PostgreSQL schema name "${schema}"`, {
      hint: 'use letters, digits and underscores',
    });
  }
  const label = `${url ? redactUrl(url) : 'PostgreSQL'} (schema ${schema})`;
  let pool = options.pool;
  if (!pool) {
    const pg = await import('pg');
    const config: PoolConfig = {
      connectionString: url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    };
    pool = new pg.default.Pool(config);
    pool.on('error', () => undefined);
  }
  const store = new PostgresResultStore(pool, schema, label, !options.pool, options.reconnectWindowMs);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new StoreError(`cannot reach PostgreSQL at ${label}: ${firstLine(error)}`, {
      cause: error,
      hint: 'start PostgreSQL or fix the URL (postgres://user:password@host:5432/db)',
    });
  }
  try {
    await inTransaction(pool, (client) => installSchema(client, schema, label));
  } catch (error) {
    await store.close().catch(() => undefined);
    if (error instanceof CrawlError) throw error;
    throw new StoreError(`cannot prepare the result store ${label}: ${firstLine(error)}`, {
      cause: error,
      hint: 'the user needs CREATE rights on the database, or create the schema for it',
    });
  }
  return store;
}

async function installSchema(client: PoolClient, schema: string, label: string): Promise<void> {
  // Several processes may open a new schema at once: CREATE … IF NOT EXISTS is not race-free.
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`csdn-crawl:${schema}`]);
  const existing = await client.query(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
    [schema],
  );
  const names = existing.rows.map((row) => row.table_name as string);
  if (names.length > 0) {
    const mine = names.includes('schema_version')
      ? await client.query(`SELECT 1 FROM ${quoteIdent(schema)}.schema_version WHERE app = $1`, [RESULTS_APP])
      : { rows: [] };
    if (mine.rows.length === 0) {
      throw new StoreError(
        `schema ${schema} at ${label} holds tables of another program (${names.slice(0, 3).join(', ')})`,
        { hint: 'it was left untouched: choose another schema with ?schema=name' },
      );
    }
  }
  const createTables = !RESULT_TABLES.every((table) => names.includes(table));
  if (createTables) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  const install = installResultSchema(postgresDialect(schema), {
    createTables,
    where: label,
    newerHint: 'upgrade csdn-crawl, or use another schema',
  });
  await runAsync(client, install);
}
