import type { ResultStore } from '../core/result-store.js';
import { openOutput } from './atomic-file.js';
import { csvRow, UTF8_BOM } from './csv.js';
import { EDGE_CSV_HEADER, edgeCsvRows } from './edge-rows.js';

export type ExportFormat = 'jsonl' | 'csv' | 'edges-csv';

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
] as const;

/**
 * Stream every user to a file (`-`: stdout). A file is written beside the target and renamed
 * over it at the end, so a failed export leaves the previous file as it was. JSONL: one object
 * per user with status, profile and articles. CSV: one row per article (users without articles
 * contribute none). edges-csv: one row per follow edge (follower, followee, firstSeen); users
 * counts none.
 */
export async function exportResults(
  results: ResultStore,
  format: ExportFormat,
  file: string,
  onUser?: (count: number) => void,
): Promise<{ users: number; articles: number; edges: number }> {
  const out = await openOutput(file);
  const write = (chunk: string) => out.write(chunk);
  let users = 0;
  let articles = 0;
  let edges = 0;
  try {
    if (format === 'edges-csv') {
      await write(EDGE_CSV_HEADER);
      for await (const row of edgeCsvRows(results)) {
        await write(row);
        edges++;
      }
      await out.commit();
      return { users, articles, edges };
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
          articles: list.map(({ firstSeen, lastSeen, ...article }) => ({
            ...article,
            firstSeen: new Date(firstSeen).toISOString(),
            lastSeen: new Date(lastSeen).toISOString(),
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
  return { users, articles, edges };
}
