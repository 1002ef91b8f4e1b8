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
