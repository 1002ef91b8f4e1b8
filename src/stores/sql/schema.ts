import { StoreError } from '../../core/errors.js';
import type { SqlDialect } from './dialect.js';
import { query, run, type SqlProgram, script } from './program.js';
import { PROFILE_COLUMNS, TEXT_PROFILE_FIELDS } from './rows.js';

/** The `app` value in `schema_version` that marks tables as csdn-crawl's results. */
export const RESULTS_APP = 'csdn-crawl-results';
/** 2: `articles.deleted_at` and the `article_history` table (1 is migrated on open). */
export const RESULTS_SCHEMA_VERSION = 2;
export const RESULT_TABLES = [
  'schema_version',
  'users',
  'profile_snapshots',
  'articles',
  'follow_edges',
  'article_history',
];

/*
 * Two details have always differed between the databases; they stay as they were, so that files and
 * schemas written before read the same without a migration. Nothing depends on either: the
 * version row is read before it is written, under the store's open lock.
 */
const VERSION_KEY = { sqlite: 'app TEXT NOT NULL', postgres: 'app TEXT PRIMARY KEY' };
const ARTICLES_INDEX = { sqlite: '(username, post_time)', postgres: '(username, article_id)' };

/** The result tables, as `CREATE … IF NOT EXISTS` statements in one script. */
export function resultSchemaDdl(d: SqlDialect): string {
  const { integer, flag, orderedText: key } = d.types;
  const profileColumns = PROFILE_COLUMNS.map(
    ([field, column]) => `${column} ${TEXT_PROFILE_FIELDS.has(field) ? 'TEXT' : integer}`,
  ).join(', ');
  return `
CREATE TABLE IF NOT EXISTS ${d.table('schema_version')} (${VERSION_KEY[d.name]}, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ${d.table('users')} (
  username ${key} PRIMARY KEY,
  status TEXT NOT NULL,
  reason TEXT,
  source TEXT,
  last_crawled_at ${integer} NOT NULL
);
CREATE TABLE IF NOT EXISTS ${d.table('profile_snapshots')} (
  username ${key} NOT NULL,
  crawled_at ${integer} NOT NULL,
  ${profileColumns},
  PRIMARY KEY (username, crawled_at)
);
CREATE TABLE IF NOT EXISTS ${d.table('articles')} (
  article_id ${key} NOT NULL,
  username ${key} NOT NULL,
  title TEXT NOT NULL,
  url TEXT NOT NULL,
  type TEXT NOT NULL,
  post_time ${key} NOT NULL,
  view_count ${integer} NOT NULL,
  comment_count ${integer} NOT NULL,
  digg_count ${integer},
  collect_count ${integer},
  top ${flag},
  first_seen ${integer} NOT NULL,
  last_seen ${integer} NOT NULL,
  deleted_at ${integer},
  PRIMARY KEY (article_id, username)
);
CREATE INDEX IF NOT EXISTS articles_by_user ON ${d.table('articles')} ${ARTICLES_INDEX[d.name]};
CREATE TABLE IF NOT EXISTS ${d.table('follow_edges')} (
  follower ${key} NOT NULL,
  followee ${key} NOT NULL,
  first_seen ${integer} NOT NULL,
  PRIMARY KEY (follower, followee)
);
CREATE INDEX IF NOT EXISTS follow_edges_by_followee ON ${d.table('follow_edges')} (followee, follower);
${articleHistoryDdl(d)}
`;
}

/** Article counters over time: a row per change, keyed for one user's reads and for streaming. */
function articleHistoryDdl(d: SqlDialect): string {
  const { integer, orderedText: key } = d.types;
  return `CREATE TABLE IF NOT EXISTS ${d.table('article_history')} (
  username ${key} NOT NULL,
  article_id ${key} NOT NULL,
  crawled_at ${integer} NOT NULL,
  view_count ${integer} NOT NULL,
  comment_count ${integer} NOT NULL,
  digg_count ${integer},
  collect_count ${integer},
  PRIMARY KEY (username, article_id, crawled_at)
);`;
}

/**
 * Schema 1 to 2, inside the open's transaction: the deletion mark, the history table, and each
 * stored article's counters as its first point, at the last crawl that saw them (true then).
 */
function* migrateFrom1(d: SqlDialect): SqlProgram<void> {
  const counters = 'view_count, comment_count, digg_count, collect_count';
  yield script(`ALTER TABLE ${d.table('articles')} ADD COLUMN deleted_at ${d.types.integer};
${articleHistoryDdl(d)}
INSERT INTO ${d.table('article_history')} (username, article_id, crawled_at, ${counters})
  SELECT username, article_id, last_seen, ${counters} FROM ${d.table('articles')};`);
}

export interface InstallOptions {
  /** Run the DDL (false when every table exists and the user may lack CREATE rights). */
  createTables: boolean;
  /** Names the database in the error message (a file, a redacted URL). */
  where: string;
  /** The way out when the schema is newer than this version reads. */
  newerHint: string;
}

/** Creates the tables if asked, then records the schema version, migrates an older one or refuses a newer one. */
export function* installResultSchema(d: SqlDialect, options: InstallOptions): SqlProgram<void> {
  if (options.createTables) yield script(resultSchemaDdl(d));
  const table = d.table('schema_version');
  const { rows } = yield query(`SELECT version FROM ${table} WHERE app = ${d.param(1)}`, [RESULTS_APP]);
  if (rows.length === 0) {
    yield run(`INSERT INTO ${table} (app, version) VALUES (${d.param(1)}, ${d.param(2)})`, [
      RESULTS_APP,
      RESULTS_SCHEMA_VERSION,
    ]);
    return;
  }
  const version = Number(rows[0].version);
  if (version > RESULTS_SCHEMA_VERSION) {
    throw new StoreError(
      `${options.where} has results schema ${rows[0].version}, this version reads ${RESULTS_SCHEMA_VERSION}`,
      { hint: options.newerHint },
    );
  }
  if (version === 1) {
    yield* migrateFrom1(d);
    yield run(`UPDATE ${table} SET version = ${d.param(1)} WHERE app = ${d.param(2)}`, [
      RESULTS_SCHEMA_VERSION,
      RESULTS_APP,
    ]);
  }
}
