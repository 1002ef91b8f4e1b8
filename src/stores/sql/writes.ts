import type { UserResult } from '../../core/model.js';
import type { SqlDialect } from './dialect.js';
import { chunks, run, type SqlProgram, statementText } from './program.js';
import { articleValues, PROFILE_COLUMNS, profileValues, uniqueArticles, uniqueNames } from './rows.js';

const PROFILE_COLS = PROFILE_COLUMNS.map(([, column]) => column);
const ARTICLE_COLS = [
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

/** The values of rows in order (faster than Array.prototype.flat, which is slow in V8). */
function flatten(rows: unknown[][]): unknown[] {
  if (rows.length === 1) return rows[0];
  const values: unknown[] = [];
  for (const row of rows) for (const value of row) values.push(value);
  return values;
}

/** One fixed order of ID tuples, the same in every writer. */
function byKey(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/** An older crawl saved late must not overwrite a newer status. */
function upsertUser(d: SqlDialect, values: Record<string, unknown>) {
  const columns = Object.keys(values);
  const sql = statementText(d, `users:${columns}`, (p) => {
    const updates = columns.slice(1).map((c) => `${c} = excluded.${c}`);
    return `INSERT INTO ${d.table('users')} (${columns.join(', ')}) VALUES ${p.row(columns.length)}
     ON CONFLICT (username) DO UPDATE SET ${updates.join(', ')}
     WHERE excluded.last_crawled_at >= users.last_crawled_at`;
  });
  return run(sql, Object.values(values));
}

function upsertSnapshot(d: SqlDialect, result: UserResult, crawledAt: number) {
  const sql = statementText(
    d,
    'snapshot',
    (p) => `INSERT INTO ${d.table('profile_snapshots')} (username, crawled_at, ${PROFILE_COLS.join(', ')})
     VALUES ${p.row(PROFILE_COLS.length + 2)}
     ON CONFLICT (username, crawled_at) DO UPDATE SET ${PROFILE_COLS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  return run(sql, [result.username, crawledAt, ...profileValues(result.profile)]);
}

/**
 * Upserts by (article id, user): counters follow the newest crawl; first/last seen widen; a crawl
 * after the article was marked deleted, listing it, clears the mark.
 */
function upsertArticles(d: SqlDialect, rows: unknown[][]) {
  const sql = statementText(d, `articles:${rows.length}`, (p) => {
    const newer = 'excluded.last_seen >= articles.last_seen';
    const updates = ARTICLE_COLS.slice(1).map(
      (c) => `${c} = CASE WHEN ${newer} THEN excluded.${c} ELSE articles.${c} END`,
    );
    const values = rows.map(() => p.row(ARTICLE_COLS.length + 3));
    return `INSERT INTO ${d.table('articles')} (${ARTICLE_COLS.join(', ')}, username, first_seen, last_seen)
     VALUES ${values.join(', ')}
     ON CONFLICT (article_id, username) DO UPDATE SET ${updates.join(', ')},
       first_seen = ${d.least}(articles.first_seen, excluded.first_seen),
       last_seen = ${d.greatest}(articles.last_seen, excluded.last_seen),
       deleted_at = CASE WHEN excluded.last_seen > articles.deleted_at THEN NULL ELSE articles.deleted_at END`;
  });
  return run(sql, flatten(rows));
}

/**
 * A history point for each article of this crawl whose counters differ from its latest point (or
 * that has none). Only articles this crawl is the newest for (`last_seen` is its time): an older
 * crawl saved late adds no point, so the series never gains a row in its past.
 */
function recordArticleHistory(d: SqlDialect, username: string, crawledAt: number) {
  const history = d.table('article_history');
  const sql = statementText(d, 'history', (p) => {
    const same = ['view_count', 'comment_count', 'digg_count', 'collect_count']
      .map((c) => `h.${c} IS NOT DISTINCT FROM a.${c}`)
      .join(' AND ');
    return `INSERT INTO ${history} (username, article_id, crawled_at, view_count, comment_count, digg_count, collect_count)
     SELECT a.username, a.article_id, a.last_seen, a.view_count, a.comment_count, a.digg_count, a.collect_count
     FROM ${d.table('articles')} a LEFT JOIN ${history} h ON h.username = a.username AND h.article_id = a.article_id
       AND h.crawled_at = (SELECT max(m.crawled_at) FROM ${history} m
         WHERE m.username = a.username AND m.article_id = a.article_id)
     WHERE a.username = ${p.next()} AND a.last_seen = ${p.next()}
       AND (h.crawled_at IS NULL OR (h.crawled_at < a.last_seen AND NOT (${same})))
     ON CONFLICT DO NOTHING`;
  });
  return run(sql, [username, crawledAt]);
}

/** Articles this user's complete list no longer holds: deleted as of this crawl, unless marked before. */
function markDeletedArticles(d: SqlDialect, username: string, crawledAt: number) {
  const sql = statementText(
    d,
    'deleted',
    (p) => `UPDATE ${d.table('articles')} SET deleted_at = ${p.next()}
     WHERE username = ${p.next()} AND last_seen < ${p.next()} AND deleted_at IS NULL`,
  );
  return run(sql, [crawledAt, username, crawledAt]);
}

function dropEdgesExcept(d: SqlDialect, side: 'follower' | 'followee', username: string, keep: string[]) {
  const other = side === 'follower' ? 'followee' : 'follower';
  const sql = statementText(
    d,
    `drop:${side}`,
    (p) => `DELETE FROM ${d.table('follow_edges')} WHERE ${side} = ${p.next()}
     AND ${d.notInList(other, p.next())}`,
  );
  return run(sql, [username, d.listValue(keep)]);
}

function insertEdges(d: SqlDialect, rows: unknown[][]) {
  const sql = statementText(
    d,
    `edges:${rows.length}`,
    (p) => `INSERT INTO ${d.table('follow_edges')} (follower, followee, first_seen)
     VALUES ${rows.map(() => p.row(3)).join(', ')} ON CONFLICT DO NOTHING`,
  );
  return run(sql, flatten(rows));
}

/**
 * A crawled user in one transaction: user row, a profile snapshot, articles, follow edges. Rows go
 * in key order, so concurrent writers take row locks in the same order and cannot deadlock.
 */
export function* saveUserProgram(d: SqlDialect, result: UserResult, crawledAt: number): SqlProgram<void> {
  const username = result.username;
  const user = yield upsertUser(d, {
    username,
    status: 'done',
    reason: null,
    source: result.source,
    last_crawled_at: crawledAt,
  });
  // No change means a newer crawl of this user is stored already: its lists stay authoritative.
  const newest = user.changes > 0;
  yield upsertSnapshot(d, result, crawledAt);
  const articles = uniqueArticles(result.articles)
    .sort((a, b) => (a.articleId < b.articleId ? -1 : a.articleId > b.articleId ? 1 : 0))
    .map((article) => [...articleValues(article), username, crawledAt, crawledAt]);
  for (const rows of chunks(articles, d.insertBatchRows)) yield upsertArticles(d, rows);
  if (articles.length > 0) yield recordArticleHistory(d, username, crawledAt);
  // Only the newest crawl's complete list says what is gone; a capped or partial one never does.
  if (newest && result.articlesComplete) yield markDeletedArticles(d, username, crawledAt);

  const follows = uniqueNames(result.follows, username);
  const fans = uniqueNames(result.fans, username);
  // A complete list replaces what was stored; a capped or partial one only adds (the names beyond
  // the cap are unknown).
  if (newest && result.follows && result.followsComplete)
    yield dropEdgesExcept(d, 'follower', username, follows);
  if (newest && result.fans && result.fansComplete) yield dropEdgesExcept(d, 'followee', username, fans);
  const edges = [...follows.map((followee) => [username, followee]), ...fans.map((fan) => [fan, username])]
    .sort(byKey)
    .map((edge) => [...edge, crawledAt]);
  for (const rows of chunks(edges, d.insertBatchRows)) yield insertEdges(d, rows);
}

/** A final outcome without data (notfound, failed with its reason). */
export function* saveOutcomeProgram(
  d: SqlDialect,
  username: string,
  status: string,
  reason: string | null,
  at: number,
): SqlProgram<void> {
  yield upsertUser(d, { username, status, reason, last_crawled_at: at });
}
