import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { ResultStore } from '../core/result-store.js';
import { csvRow, UTF8_BOM } from './csv.js';

export type ExportFormat = 'jsonl' | 'csv';

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
 * Stream every user to a file. JSONL: one object per user with status, profile and articles.
 * CSV: one row per article (users without articles contribute none).
 */
export async function exportResults(
  results: ResultStore,
  format: ExportFormat,
  file: string,
  onUser?: (count: number) => void,
): Promise<{ users: number; articles: number }> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await once(out, 'drain');
  };
  let users = 0;
  let articles = 0;
  try {
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
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { users, articles };
}
