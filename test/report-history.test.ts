import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Article } from '../src/core/model.js';
import type { ArticleHistoryPoint } from '../src/core/result-store.js';
import { buildReport } from '../src/report/build-report.js';
import { articleCounterSeries, growthIn } from '../src/report/history-growth.js';
import { safeUserFileName } from '../src/report/safe-file-name.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';

const root = mkdtempSync(path.join(tmpdir(), 'csdn-report-history-'));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const point = (articleId: string, crawledAt: number, viewCount: number): ArticleHistoryPoint => ({
  username: 'u',
  articleId,
  crawledAt,
  viewCount,
  commentCount: 1,
});

describe('history in the report', () => {
  it('growth is the value in force at the end minus the one at the start', () => {
    const series = [
      [10, 100],
      [20, 150],
      [30, 400],
    ] as const;
    expect(growthIn(series, {})).toBe(300);
    expect(growthIn(series, { from: 15, to: 25 })).toBe(50);
    expect(growthIn(series, { from: 12, to: 18 })).toBe(0);
    expect(growthIn(series, { from: 20, to: 30 })).toBe(250);
    expect(growthIn(series, { from: 25 })).toBe(250);
    expect(growthIn(series, { to: 5 })).toBeUndefined();
    expect(growthIn([], {})).toBeUndefined();
  });

  it('sums article counters per crawl time from the compact history, deleted articles until their mark', () => {
    const points = [point('1', 10, 5), point('1', 30, 8), point('2', 20, 100), point('3', 10, 7)];
    const stored = [{ articleId: '3', deletedAt: 20 }] as never[];
    expect(articleCounterSeries(points, stored)).toEqual([
      [10, 12, 2, 0, 0],
      [20, 105, 2, 0, 0],
      [30, 108, 2, 0, 0],
    ]);
  });

  it('shows article counters over time per user and the fastest-growing users and articles', async () => {
    const store = await openSqliteResultStore(path.join(root, 'results.sqlite'));
    const article = (id: string, viewCount: number): Article => ({
      articleId: id,
      title: `Post <${id}>`,
      url: `https://blog.csdn.net/x/article/details/${id}`,
      type: 'original',
      postTime: '2026-01-01 00:00:00',
      viewCount,
      commentCount: 0,
    });
    const save = (username: string, at: number, visits: number, articles: Article[]) =>
      store.saveUser(
        { username, source: 'api', profile: { username, viewCount: visits, fansCount: at }, articles },
        at,
      );
    await save('slow', 1_000, 100, [article('11', 50)]);
    await save('fast', 1_000, 100, [article('21', 10), article('22', 10)]);
    await save('slow', 2_000, 110, [article('11', 60)]);
    await save('fast', 2_000, 900, [article('21', 500), article('22', 20)]);
    await save('fast', 3_000, 5_000, [article('21', 4_000), article('22', 20)]);
    const outDir = path.join(root, 'report');
    await buildReport({ results: store, outDir, growth: { from: 1_000, to: 2_000 } });
    await store.close();

    const overview = readFileSync(path.join(outDir, 'index.html'), 'utf8');
    const usersTable = overview.slice(overview.indexOf('id="growth-users"'));
    expect(usersTable.indexOf('>fast<')).toBeLessThan(usersTable.indexOf('>slow<'));
    expect(usersTable).toContain('<td class="num">800</td>');
    const articlesTable = overview.slice(overview.indexOf('id="growth-articles"'));
    expect(articlesTable).toContain('Post &lt;21&gt;');
    expect(articlesTable).toContain('<td class="num">490</td>');
    expect(articlesTable).not.toContain('<td class="num">3,990</td>');

    const page = readFileSync(path.join(outDir, 'users', safeUserFileName('fast')), 'utf8');
    const json = page.match(/<script type="application\/json" id="report-data">(.*?)<\/script>/s)![1]!;
    expect(JSON.parse(json).articleSeries).toEqual([
      [1_000, 20, 0, 0, 0],
      [2_000, 520, 0, 0, 0],
      [3_000, 4_020, 0, 0, 0],
    ]);
    expect(page).toContain('id="chart-article-counters"');
    expect(readdirSync(path.join(outDir, 'users'))).toHaveLength(2);
  });
});
