import type { ResultStore } from '../core/result-store.js';
import { openOutput } from './atomic-file.js';
import { csvRow, UTF8_BOM } from './csv.js';
import { EDGE_CSV_HEADER, edgeCsvRows } from './edge-rows.js';
import { HISTORY_CSV_HEADER, historyCsvRows, SNAPSHOTS_CSV_HEADER, snapshotCsvRows } from './history-rows.js';

export type ExportFormat = 'jsonl' | 'csv' | 'edges-csv' | 'history-csv' | 'snapshots-csv';

/** The formats of one row per stored item (not per user): their header and their rows. */
const ROW_FORMATS = {
  'edges-csv': { header: EDGE_CSV_HEADER, rows: edgeCsvRows },
  'history-csv': { header: HISTORY_CSV_HEADER, rows: historyCsvRows },
  'snapshots-csv': { header: SNAPSHOTS_CSV_HEADER, rows: snapshotCsvRows },
} as const;

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  'jsonl',
  'csv',
  ...(Object.keys(ROW_FORMATS) as ExportFormat[]),
];

const CSV_COLUMNS = [
  'username',
  'articleId',
  'title',
  'type',
  'postTime',
  'viewCount',
  'commentCount',
  'diggCount',
  'collectCount',
  'url',
  // The user's standing, so a failed recrawl's rows are told apart from a fresh result.
  'userStatus',
  'lastGoodCrawledAt',
  // Empty while the article is listed; the first crawl that missed it from a complete list.
  'deletedAt',
] as const;

/**
 * Stream every user to a file (`-`: stdout). A file is written beside the target and renamed
 * over it at the end, so a failed export leaves the previous file as it was. JSONL: one object
 * per user with status, profile and articles. CSV: one row per article (users without articles
 * contribute none). edges-csv: one row per follow edge (follower, followee, firstSeen); users
 * counts none. history-csv: one row per article history point; snapshots-csv: one row per
 * profile snapshot (`rows` counts them).
 */
export async function exportResults(
  results: ResultStore,
  format: ExportFormat,
  file: string,
  onUser?: (count: number) => void,
): Promise<{ users: number; articles: number; edges: number; rows: number }> {
  const out = await openOutput(file);
  const write = (chunk: string) => out.write(chunk);
  let users = 0;
  let articles = 0;
  const edges = 0;
  try {
    if (format !== 'jsonl' && format !== 'csv') {
      const { header, rows } = ROW_FORMATS[format];
      await write(header);
      let count = 0;
      for await (const row of rows(results)) {
        await write(row);
        count++;
      }
      await out.commit();
      return { users, articles, edges: format === 'edges-csv' ? count : 0, rows: count };
    }
    if (format === 'csv') await write(UTF8_BOM + csvRow(CSV_COLUMNS));
    for await (const user of results.iterateUsers()) {
      // Every stored article, whatever the latest outcome: a recrawl that failed (or found the user
      // gone) must not hide the last good result; the status and reason stand beside it.
      const list = await results.getArticles(user.username);
      const lastGood =
        user.lastGoodCrawledAt === undefined ? null : new Date(user.lastGoodCrawledAt).toISOString();
      users++;
      articles += list.length;
      if (format === 'jsonl') {
        const record = {
          username: user.username,
          status: user.status,
          reason: user.reason,
          source: user.source,
          lastCrawledAt: new Date(user.lastCrawledAt).toISOString(),
          lastGoodCrawledAt: lastGood,
          profile: user.profile ?? null,
          ...(await results.getEdges(user.username)),
          articles: list.map(({ firstSeen, lastSeen, deletedAt, ...article }) => ({
            ...article,
            firstSeen: new Date(firstSeen).toISOString(),
            lastSeen: new Date(lastSeen).toISOString(),
            ...(deletedAt === undefined ? {} : { deletedAt: new Date(deletedAt).toISOString() }),
          })),
        };
        await write(`${JSON.stringify(record)}\n`);
      } else {
        for (const article of list) {
          const row = {
            ...article,
            username: user.username,
            userStatus: user.status,
            lastGoodCrawledAt: lastGood,
            deletedAt: article.deletedAt === undefined ? null : new Date(article.deletedAt).toISOString(),
          };
          await write(csvRow(CSV_COLUMNS.map((c) => row[c])));
        }
      }
      onUser?.(users);
    }
  } catch (error) {
    await out.abort();
    throw error;
  }
  await out.commit();
  return { users, articles, edges, rows: format === 'csv' ? articles : users };
}
