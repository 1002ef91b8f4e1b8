import type { Pool, PoolClient, PoolConfig } from 'pg';
import { CrawlError, InvalidInputError, StoreError } from '../core/errors.js';
import type { FinalStatus, UserResult } from '../core/model.js';
import type {
  FollowEdge,
  ProfileSnapshot,
  ResultCounts,
  ResultStore,
  StoredArticle,
  StoredUser,
} from '../core/result-store.js';
import { writeEdges } from './postgres-edge-writes.js';
import { redactUrl } from './redact.js';
import {
  articleValues,
  PROFILE_COLUMNS,
  profileValues,
  type Row,
  rowToArticle,
  rowToProfile,
  rowToSnapshot,
  rowToUser,
  uniqueArticles,
} from './result-rows.js';
import type { UserArticle } from './sqlite-result-store.js';
import { postgresFault, ReconnectWindow } from './store-fault.js';

const APP = 'csdn-crawl-results';
const SCHEMA_VERSION = 1;
const PAGE = 500;
const TABLES = ['schema_version', 'users', 'profile_snapshots', 'articles', 'follow_edges'];
const PROFILE_COLS = PROFILE_COLUMNS.map(([, column]) => column);

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

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Text columns that order and compare IDs use byte order ("C"), the same as SQLite's. */
function ddl(schema: string): string {
  const s = ident(schema);
  const profileCols = PROFILE_COLUMNS.map(([field, column]) =>
    ['nickname', 'registrationTime', 'blogUrl'].includes(field) ? `${column} TEXT` : `${column} BIGINT`,
  ).join(', ');
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.schema_version (app TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.users (
  username TEXT COLLATE "C" PRIMARY KEY,
  status TEXT NOT NULL,
  reason TEXT,
  source TEXT,
  last_crawled_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.profile_snapshots (
  username TEXT COLLATE "C" NOT NULL,
  crawled_at BIGINT NOT NULL,
  ${profileCols},
  PRIMARY KEY (username, crawled_at)
);
CREATE TABLE IF NOT EXISTS ${s}.articles (
  article_id TEXT COLLATE "C" NOT NULL,
  username TEXT COLLATE "C" NOT NULL,
  title TEXT NOT NULL,
  url TEXT NOT NULL,
  type TEXT NOT NULL,
  post_time TEXT COLLATE "C" NOT NULL,
  view_count BIGINT NOT NULL,
  comment_count BIGINT NOT NULL,
  digg_count BIGINT,
  collect_count BIGINT,
  top SMALLINT,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  PRIMARY KEY (article_id, username)
);
CREATE INDEX IF NOT EXISTS articles_by_user ON ${s}.articles (username, article_id);
CREATE TABLE IF NOT EXISTS ${s}.follow_edges (
  follower TEXT COLLATE "C" NOT NULL,
  followee TEXT COLLATE "C" NOT NULL,
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (follower, followee)
);
CREATE INDEX IF NOT EXISTS follow_edges_by_followee ON ${s}.follow_edges (followee, follower);
`;
}

const ARTICLE_COLUMNS = [
  'article_id',
  'title',
  'url',
  'type',
  'post_time',
  'view_count',
  'comment_count',
  'digg_count',
  'collect_count',
  'top',
];
const ARTICLE_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'smallint',
];

/**
 * Results in PostgreSQL, in their own schema. Each user is one transaction of upserts (articles and
 * edges in one statement each, in key order so concurrent writers cannot deadlock each other).
 */
export class PostgresResultStore implements ResultStore {
  readonly raw: Pool;
  private readonly s: string;
  private readonly reconnect: ReconnectWindow;

  constructor(
    pool: Pool,
    readonly schema: string,
    private readonly label: string,
    private readonly ownsPool: boolean,
    reconnectWindowMs = 30_000,
  ) {
    this.raw = pool;
    this.reconnect = new ReconnectWindow(reconnectWindowMs);
    // A client checked out of the pool has no 'error' listener of pg's own: when the server goes
    // away mid-transaction, the socket's error would be an uncaught exception killing the process.
    // The failed query rejects anyway, so the event itself can be ignored.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
    });
    this.s = ident(schema);
  }

  async saveUser(result: UserResult, crawledAt: number): Promise<void> {
    const username = result.username;
    const articles = uniqueArticles(result.articles).sort((a, b) => (a.articleId < b.articleId ? -1 : 1));
    await this.transaction('save a user', async (client) => {
      const user = await client.query(
        `INSERT INTO ${this.s}.users (username, status, reason, source, last_crawled_at) VALUES ($1, 'done', NULL, $2, $3)
         ON CONFLICT (username) DO UPDATE SET status = excluded.status, reason = excluded.reason,
           source = excluded.source, last_crawled_at = excluded.last_crawled_at
         WHERE excluded.last_crawled_at >= users.last_crawled_at RETURNING 1`,
        [username, result.source, crawledAt],
      );
      // No row means a newer crawl of this user is stored already: its lists stay authoritative.
      const newest = user.rowCount === 1;
      const params = PROFILE_COLS.map((_, i) => `$${i + 3}`).join(', ');
      await client.query(
        `INSERT INTO ${this.s}.profile_snapshots (username, crawled_at, ${PROFILE_COLS.join(', ')})
         VALUES ($1, $2, ${params})
         ON CONFLICT (username, crawled_at) DO UPDATE SET ${PROFILE_COLS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
        [username, crawledAt, ...profileValues(result.profile)],
      );
      if (articles.length > 0) {
        const columns = articles.map(articleValues);
        const arrays = ARTICLE_COLUMNS.map((_, c) => columns.map((values) => values[c]));
        const unnest = ARTICLE_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
        const newer = 'excluded.last_seen >= articles.last_seen';
        const updates = ARTICLE_COLUMNS.slice(1)
          .map((c) => `${c} = CASE WHEN ${newer} THEN excluded.${c} ELSE articles.${c} END`)
          .join(', ');
        await client.query(
          `INSERT INTO ${this.s}.articles (${ARTICLE_COLUMNS.join(', ')}, username, first_seen, last_seen)
           SELECT *, $11::text, $12::bigint, $12::bigint FROM unnest(${unnest})
           ON CONFLICT (article_id, username) DO UPDATE SET ${updates},
             first_seen = LEAST(articles.first_seen, excluded.first_seen),
             last_seen = GREATEST(articles.last_seen, excluded.last_seen)`,
          [...arrays, username, crawledAt],
        );
      }
      await writeEdges(client, this.s, result, crawledAt, newest);
    });
  }

  async saveOutcome(
    username: string,
    status: Exclude<FinalStatus, 'done'>,
    reason: string | undefined,
    at: number,
  ): Promise<void> {
    await this.transaction('save an outcome', (client) =>
      client.query(
        `INSERT INTO ${this.s}.users (username, status, reason, last_crawled_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO UPDATE SET status = excluded.status, reason = excluded.reason,
           last_crawled_at = excluded.last_crawled_at
         WHERE excluded.last_crawled_at >= users.last_crawled_at`,
        [username, status, reason ?? null, at],
      ),
    );
  }

  async getUser(username: string): Promise<StoredUser | undefined> {
    const rows = await this.query('read a user', `${this.userSelect()} WHERE u.username = $1`, [username]);
    return rows[0] ? this.toUser(rows[0]) : undefined;
  }

  async getArticles(username: string): Promise<StoredArticle[]> {
    const rows = await this.query(
      'read articles',
      `SELECT * FROM ${this.s}.articles WHERE username = $1
       ORDER BY post_time DESC, length(article_id) DESC, article_id DESC`,
      [username],
    );
    return rows.map((row) => rowToArticle(row));
  }

  async getSnapshots(username: string): Promise<ProfileSnapshot[]> {
    const rows = await this.query(
      'read snapshots',
      `SELECT * FROM ${this.s}.profile_snapshots WHERE username = $1 ORDER BY crawled_at`,
      [username],
    );
    return rows.map((row) => rowToSnapshot(row));
  }

  async getEdges(username: string): Promise<{ follows: string[]; fans: string[] }> {
    const follows = await this.query(
      'read follow edges',
      `SELECT followee FROM ${this.s}.follow_edges WHERE follower = $1 ORDER BY followee`,
      [username],
    );
    const fans = await this.query(
      'read follow edges',
      `SELECT follower FROM ${this.s}.follow_edges WHERE followee = $1 ORDER BY follower`,
      [username],
    );
    return { follows: follows.map((r) => r.followee), fans: fans.map((r) => r.follower) };
  }

  async *iterateUsers(): AsyncIterable<StoredUser> {
    let after = '';
    for (;;) {
      const rows = await this.query(
        'list users',
        `${this.userSelect()} WHERE u.username > $1 ORDER BY u.username LIMIT ${PAGE}`,
        [after],
      );
      for (const row of rows) yield this.toUser(row);
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].username;
    }
  }

  /** Every stored article with its username, in (username, article id) order, page by page. */
  async *iterateArticles(): AsyncIterable<UserArticle> {
    let afterUser = '';
    let afterId = '';
    for (;;) {
      const rows = await this.query(
        'list articles',
        `SELECT * FROM ${this.s}.articles WHERE (username, article_id) > ($1, $2)
         ORDER BY username, article_id LIMIT ${PAGE}`,
        [afterUser, afterId],
      );
      for (const row of rows) yield { ...rowToArticle(row), username: row.username };
      if (rows.length < PAGE) return;
      afterUser = rows[rows.length - 1].username;
      afterId = rows[rows.length - 1].article_id;
    }
  }

  /** Every follow edge, in (follower, followee) order, page by page. */
  async *iterateEdges(): AsyncIterable<FollowEdge> {
    let afterFollower = '';
    let afterFollowee = '';
    for (;;) {
      const rows = await this.query(
        'list follow edges',
        `SELECT * FROM ${this.s}.follow_edges WHERE (follower, followee) > ($1, $2)
         ORDER BY follower, followee LIMIT ${PAGE}`,
        [afterFollower, afterFollowee],
      );
      for (const row of rows)
        yield { follower: row.follower, followee: row.followee, firstSeen: Number(row.first_seen) };
      if (rows.length < PAGE) return;
      afterFollower = rows[rows.length - 1].follower;
      afterFollowee = rows[rows.length - 1].followee;
    }
  }

  /** Every profile snapshot, in (username, crawl time) order, page by page. */
  async *iterateSnapshots(): AsyncIterable<ProfileSnapshot> {
    let afterUser = '';
    let afterAt = -1;
    for (;;) {
      const rows = await this.query(
        'list snapshots',
        `SELECT * FROM ${this.s}.profile_snapshots WHERE (username, crawled_at) > ($1, $2)
         ORDER BY username, crawled_at LIMIT ${PAGE}`,
        [afterUser, afterAt],
      );
      for (const row of rows) yield rowToSnapshot(row);
      if (rows.length < PAGE) return;
      afterUser = rows[rows.length - 1].username;
      afterAt = Number(rows[rows.length - 1].crawled_at);
    }
  }

  async counts(): Promise<ResultCounts> {
    const [row] = await this.query(
      'count results',
      `SELECT (SELECT count(*) FROM ${this.s}.users) AS users, (SELECT count(*) FROM ${this.s}.articles) AS articles,
        (SELECT count(*) FROM ${this.s}.profile_snapshots) AS snapshots,
        (SELECT count(*) FROM ${this.s}.follow_edges) AS edges`,
    );
    return {
      users: Number(row.users),
      articles: Number(row.articles),
      snapshots: Number(row.snapshots),
      edges: Number(row.edges),
    };
  }

  /** Drops the whole schema (tests, `reset`). */
  async dropSchema(): Promise<void> {
    await this.query('drop the schema', `DROP SCHEMA IF EXISTS ${this.s} CASCADE`);
  }

  async close(): Promise<void> {
    if (this.ownsPool && !this.raw.ended) await this.raw.end();
  }

  private userSelect(): string {
    const snapCols = PROFILE_COLS.map((c) => `s.${c}`).join(', ');
    return `SELECT u.username, u.status, u.reason, u.source, u.last_crawled_at, s.crawled_at AS snap_at, ${snapCols}
      FROM ${this.s}.users u LEFT JOIN LATERAL (
        SELECT * FROM ${this.s}.profile_snapshots p WHERE p.username = u.username ORDER BY p.crawled_at DESC LIMIT 1
      ) s ON true`;
  }

  private toUser(row: Row): StoredUser {
    return rowToUser(row, row.snap_at === null ? undefined : rowToProfile(row.username, row), row.snap_at);
  }

  private async query(what: string, sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      const rows = (await this.raw.query(sql, params)).rows;
      this.reconnect.ok();
      return rows;
    } catch (error) {
      throw this.wrap(what, error);
    }
  }

  /** Runs `body` in a transaction; deadlocks and serialization failures are retried a few times. */
  private async transaction(what: string, body: (client: PoolClient) => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient | undefined;
      try {
        client = await this.raw.connect();
        await client.query('BEGIN');
        try {
          await body(client);
          await client.query('COMMIT');
          this.reconnect.ok();
          return;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        if ((code === '40P01' || code === '40001') && attempt < 5) continue;
        throw this.wrap(what, error);
      } finally {
        client?.release();
      }
    }
  }

  private wrap(what: string, error: unknown): Error {
    return postgresFault(error, this.label, what, this.reconnect);
  }
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
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await store.close().catch(() => undefined);
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StoreError(`cannot reach PostgreSQL at ${label}: ${message}`, {
      cause: error,
      hint: 'start PostgreSQL or fix the URL (postgres://user:password@host:5432/db)',
    });
  }
  try {
    await client.query('BEGIN');
    // Several processes may open a new schema at once: CREATE … IF NOT EXISTS is not race-free.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`csdn-crawl:${schema}`]);
    const existing = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
      [schema],
    );
    const names = existing.rows.map((row) => row.table_name as string);
    if (names.length > 0) {
      const mine = names.includes('schema_version')
        ? await client.query(`SELECT version FROM ${ident(schema)}.schema_version WHERE app = $1`, [APP])
        : { rows: [] };
      if (mine.rows.length === 0) {
        throw new StoreError(
          `schema ${schema} at ${label} holds tables of another program (${names.slice(0, 3).join(', ')})`,
          {
            hint: 'it was left untouched: choose another schema with ?schema=name',
          },
        );
      }
      if (mine.rows[0].version > SCHEMA_VERSION) {
        throw new StoreError(
          `${label} has results schema ${mine.rows[0].version}, this version reads ${SCHEMA_VERSION}`,
          {
            hint: 'upgrade csdn-crawl, or use another schema',
          },
        );
      }
    }
    if (!TABLES.every((table) => names.includes(table))) {
      await client.query(ddl(schema));
      await client.query(
        `INSERT INTO ${ident(schema)}.schema_version (app, version) VALUES ($1, $2) ON CONFLICT (app) DO NOTHING`,
        [APP, SCHEMA_VERSION],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    await store.close().catch(() => undefined);
    if (error instanceof CrawlError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StoreError(`cannot prepare the result store ${label}: ${message}`, {
      cause: error,
      hint: 'the user needs CREATE rights on the database, or create the schema for it',
    });
  }
  client.release();
  return store;
}
