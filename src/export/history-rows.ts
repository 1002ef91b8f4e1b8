import { InvalidInputError } from '../core/errors.js';
import type { ArticleHistoryPoint, ProfileSnapshot, ResultStore } from '../core/result-store.js';
import { csvRow, UTF8_BOM } from './csv.js';

/**
 * One row per stored point: an article's counters from `crawledAt` until the article's next row
 * (a row is stored only when a counter changed). `deletedAt` repeats the article's deletion mark.
 */
const HISTORY_COLUMNS = [
  'username',
  'articleId',
  'crawledAt',
  'viewCount',
  'commentCount',
  'diggCount',
  'collectCount',
  'deletedAt',
] as const;

/** The article history CSV's first line, UTF-8 BOM included. */
export const HISTORY_CSV_HEADER = UTF8_BOM + csvRow(HISTORY_COLUMNS);

type Point = ArticleHistoryPoint & { deletedAt?: number };

const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());

/** Every point in (username, article id, crawl time) order; read user by user without a stream. */
async function* allPoints(results: ResultStore): AsyncIterable<Point> {
  if (results.iterateArticleHistory) {
    yield* results.iterateArticleHistory();
    return;
  }
  if (!results.articleHistory)
    throw new InvalidInputError('this result store keeps no article history', {
      hint: 'export --format jsonl or csv instead',
    });
  for await (const user of results.iterateUsers()) {
    const deleted = new Map<string, number | undefined>();
    for (const article of await results.getArticles(user.username))
      deleted.set(article.articleId, article.deletedAt);
    for (const point of await results.articleHistory(user.username))
      yield { ...point, deletedAt: deleted.get(point.articleId) };
  }
}

/** Article counters over time as CSV rows, ready for a spreadsheet or pandas. */
export async function* historyCsvRows(results: ResultStore): AsyncIterable<string> {
  for await (const point of allPoints(results)) {
    const row = { ...point, crawledAt: iso(point.crawledAt), deletedAt: iso(point.deletedAt) };
    yield csvRow(HISTORY_COLUMNS.map((column) => row[column]));
  }
}

/** Profile snapshot columns: one row per crawl of a user. */
const SNAPSHOT_COLUMNS = [
  'username',
  'crawledAt',
  'nickname',
  'level',
  'rank',
  'points',
  'fansCount',
  'followCount',
  'viewCount',
  'likeCount',
  'commentCount',
  'favouriteCount',
  'originalCount',
  'articleCount',
] as const;

export const SNAPSHOTS_CSV_HEADER = UTF8_BOM + csvRow(SNAPSHOT_COLUMNS);

async function* allSnapshots(results: ResultStore): AsyncIterable<ProfileSnapshot> {
  if (results.iterateSnapshots) {
    yield* results.iterateSnapshots();
    return;
  }
  for await (const user of results.iterateUsers()) yield* await results.getSnapshots(user.username);
}

/** Profiles over time as CSV rows: each crawl's snapshot, in (username, crawl time) order. */
export async function* snapshotCsvRows(results: ResultStore): AsyncIterable<string> {
  for await (const snapshot of allSnapshots(results)) {
    const row = { ...snapshot, crawledAt: iso(snapshot.crawledAt) };
    yield csvRow(SNAPSHOT_COLUMNS.map((column) => row[column]));
  }
}
