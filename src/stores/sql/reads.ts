import type { SqlDialect } from './dialect.js';
import { query, type SqlProgram, type SqlStatement, statementText } from './program.js';
import { PROFILE_COLUMNS, type Row } from './rows.js';

/** Rows per page of a streamed read: small enough that no statement stays open between yields. */
export const PAGE = 500;

/** Users with their latest profile snapshot (`snap_at` and the profile columns, null without one). */
function usersWithLatestSnapshot(d: SqlDialect): string {
  const snapshots = d.table('profile_snapshots');
  const profile = PROFILE_COLUMNS.map(([, column]) => `s.${column}`).join(', ');
  return `SELECT u.username, u.status, u.reason, u.source, u.last_crawled_at, s.crawled_at AS snap_at, ${profile}
    FROM ${d.table('users')} u LEFT JOIN ${snapshots} s ON s.username = u.username
      AND s.crawled_at = (SELECT max(p.crawled_at) FROM ${snapshots} p WHERE p.username = u.username)`;
}

/** A read of one user's rows; its text is built once per dialect. */
function* byUser(
  d: SqlDialect,
  shape: string,
  build: (user: string) => string,
  username: string,
): SqlProgram<Row[]> {
  const { rows } = yield query(
    statementText(d, shape, (p) => build(p.next())),
    [username],
  );
  return rows;
}

export function* userProgram(d: SqlDialect, username: string): SqlProgram<Row | undefined> {
  const rows = yield* byUser(
    d,
    'user',
    (u) => `${usersWithLatestSnapshot(d)} WHERE u.username = ${u}`,
    username,
  );
  return rows[0];
}

export function* articlesProgram(d: SqlDialect, username: string): SqlProgram<Row[]> {
  // Same post time: the longer (newer) id first, as ids are decimal strings.
  const sql = (u: string) => `SELECT * FROM ${d.table('articles')} WHERE username = ${u}
     ORDER BY post_time DESC, length(article_id) DESC, article_id DESC`;
  return yield* byUser(d, 'articles', sql, username);
}

export function* snapshotsProgram(d: SqlDialect, username: string): SqlProgram<Row[]> {
  const sql = (u: string) =>
    `SELECT * FROM ${d.table('profile_snapshots')} WHERE username = ${u} ORDER BY crawled_at`;
  return yield* byUser(d, 'snapshots', sql, username);
}

/** Unbounded ends of a history range (epoch milliseconds fit both databases' integers). */
export const NO_START = Number.MIN_SAFE_INTEGER;
export const NO_END = Number.MAX_SAFE_INTEGER;

/**
 * One user's article points up to `to`: each article's last point at or before `from` (points are
 * written only on change, so that one holds the values in force at `from`), then those after it.
 */
export function* articleHistoryProgram(
  d: SqlDialect,
  username: string,
  from: number,
  to: number,
): SqlProgram<Row[]> {
  const history = d.table('article_history');
  const sql = statementText(
    d,
    'article history',
    (p) => `SELECT * FROM ${history} h WHERE h.username = ${p.next()} AND h.crawled_at <= ${p.next()}
     AND (h.crawled_at > ${p.next()} OR h.crawled_at = (SELECT max(m.crawled_at) FROM ${history} m
       WHERE m.username = h.username AND m.article_id = h.article_id AND m.crawled_at <= ${p.next()}))
     ORDER BY h.article_id, h.crawled_at`,
  );
  return (yield query(sql, [username, to, from, from])).rows;
}

/** One user's profile snapshots taken in [from, to], oldest first. */
export function* profileHistoryProgram(
  d: SqlDialect,
  username: string,
  from: number,
  to: number,
): SqlProgram<Row[]> {
  const sql = statementText(
    d,
    'profile history',
    (p) => `SELECT * FROM ${d.table('profile_snapshots')} WHERE username = ${p.next()}
     AND crawled_at >= ${p.next()} AND crawled_at <= ${p.next()} ORDER BY crawled_at`,
  );
  return (yield query(sql, [username, from, to])).rows;
}

export function* edgesProgram(
  d: SqlDialect,
  username: string,
): SqlProgram<{ follows: string[]; fans: string[] }> {
  const table = d.table('follow_edges');
  const follows = yield* byUser(
    d,
    'follows',
    (u) => `SELECT followee FROM ${table} WHERE follower = ${u} ORDER BY followee`,
    username,
  );
  const fans = yield* byUser(
    d,
    'fans',
    (u) => `SELECT follower FROM ${table} WHERE followee = ${u} ORDER BY follower`,
    username,
  );
  return { follows: follows.map((r) => r.followee), fans: fans.map((r) => r.follower) };
}

export function* countsProgram(d: SqlDialect): SqlProgram<Row> {
  const count = (table: string) => `(SELECT count(*) FROM ${d.table(table)}) AS ${table}`;
  const { rows } = yield query(
    `SELECT ${count('users')}, ${count('articles')}, ${count('profile_snapshots')}, ${count('follow_edges')}`,
  );
  return rows[0];
}

/** A streamed read: rows in key order, each page starting after the last key of the one before. */
export interface Keyset {
  /** The SELECT without WHERE. */
  from: string;
  /** Key columns as written in `from`; each row holds them under the name after the dot. */
  keys: readonly string[];
  /** A key below every stored one. */
  start: readonly unknown[];
}

export function keysets(d: SqlDialect) {
  return {
    users: { from: usersWithLatestSnapshot(d), keys: ['u.username'], start: [''] },
    articles: {
      from: `SELECT * FROM ${d.table('articles')}`,
      keys: ['username', 'article_id'],
      start: ['', ''],
    },
    snapshots: {
      from: `SELECT * FROM ${d.table('profile_snapshots')}`,
      keys: ['username', 'crawled_at'],
      start: ['', -1],
    },
    edges: {
      from: `SELECT * FROM ${d.table('follow_edges')}`,
      keys: ['follower', 'followee'],
      start: ['', ''],
    },
    articleHistory: {
      from: `SELECT h.*, a.deleted_at FROM ${d.table('article_history')} h
        LEFT JOIN ${d.table('articles')} a ON a.username = h.username AND a.article_id = h.article_id`,
      keys: ['h.username', 'h.article_id', 'h.crawled_at'],
      start: ['', '', NO_START],
    },
  } satisfies Record<string, Keyset>;
}

/** The page after `after` (row values compare key by key, in both databases). */
export function keysetPage(d: SqlDialect, keyset: Keyset, after: readonly unknown[]): SqlStatement {
  const keys = keyset.keys.join(', ');
  const sql = statementText(
    d,
    `page:${keyset.from}`,
    (p) => `${keyset.from} WHERE (${keys}) > ${p.row(after.length)} ORDER BY ${keys} LIMIT ${PAGE}`,
  );
  return query(sql, [...after]);
}

/** The key of a row of `keyset`, to start the next page after. */
export function keyOf(keyset: Keyset, row: Row): unknown[] {
  return keyset.keys.map((key) => row[key.slice(key.indexOf('.') + 1)]);
}
