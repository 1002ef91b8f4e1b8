import { expect, it } from 'vitest';
import type { Article, UserResult } from '../../core/model.js';
import type { HistoryRange, ResultStore } from '../../core/result-store.js';

function article(id: string, viewCount: number, extra: Partial<Article> = {}): Article {
  return {
    articleId: id,
    title: `Title ${id}`,
    url: `https://blog.csdn.net/h/article/details/${id}`,
    type: 'original',
    postTime: `2020-01-0${id.length % 9} 00:00:00`,
    viewCount,
    commentCount: 1,
    diggCount: 2,
    collectCount: 3,
    ...extra,
  };
}

function crawl(articles: Article[], articlesComplete?: boolean, fansCount = 1): UserResult {
  return {
    username: 'hist',
    source: 'api',
    profile: { username: 'hist', fansCount },
    articles,
    articlesComplete,
  };
}

/** (article id, crawl time, views) of each point, the readable form of a history. */
async function points(store: ResultStore, range?: HistoryRange): Promise<[string, number, number][]> {
  const history = await store.articleHistory!('hist', range);
  return history.map((p) => [p.articleId, p.crawledAt, p.viewCount]);
}

async function deleted(store: ResultStore): Promise<Record<string, number | undefined>> {
  const marks: Record<string, number | undefined> = {};
  for (const a of await store.getArticles('hist')) marks[a.articleId] = a.deletedAt;
  return marks;
}

/**
 * History cases of the ResultStore suite (article counters over time, deletions); declared inside
 * its describe block, with the store of the current test.
 */
export function historyConformance(current: () => ResultStore): void {
  it('history: no point when nothing changed, one point per change', async () => {
    const store = current();
    await store.saveUser(crawl([article('1', 10), article('2', 20)]), 1_000);
    await store.saveUser(crawl([article('1', 10), article('2', 20)]), 2_000);
    await store.saveUser(crawl([article('1', 15), article('2', 20, { diggCount: 9 })]), 3_000);
    await store.saveUser(crawl([article('1', 15), article('2', 20, { diggCount: 9 })]), 3_000);
    expect(await points(store)).toEqual([
      ['1', 1_000, 10],
      ['1', 3_000, 15],
      ['2', 1_000, 20],
      ['2', 3_000, 20],
    ]);
    const [first] = await store.articleHistory!('hist');
    expect(first).toEqual({
      username: 'hist',
      articleId: '1',
      crawledAt: 1_000,
      viewCount: 10,
      commentCount: 1,
      diggCount: 2,
      collectCount: 3,
    });
    // A counter the source stops showing is a change too; an absent one reads as absent.
    await store.saveUser(crawl([article('1', 15, { diggCount: undefined })]), 4_000);
    const last = (await store.articleHistory!('hist')).filter((p) => p.articleId === '1').at(-1);
    expect(last).toMatchObject({ crawledAt: 4_000, viewCount: 15 });
    expect(last?.diggCount).toBeUndefined();
    // One profile snapshot per crawl, as before.
    expect((await store.profileHistory!('hist')).map((s) => s.crawledAt)).toEqual([
      1_000, 2_000, 3_000, 4_000,
    ]);
    expect(await store.articleHistory!('nobody')).toEqual([]);
  });

  it('history: a range gives the values in force at its start, and an older crawl adds no point', async () => {
    const store = current();
    await store.saveUser(crawl([article('1', 10), article('2', 20)]), 1_000);
    await store.saveUser(crawl([article('1', 11), article('2', 20)], false, 2), 2_000);
    await store.saveUser(crawl([article('1', 12), article('2', 20)], false, 3), 3_000);
    expect(await points(store, { from: 2_500 })).toEqual([
      ['1', 2_000, 11],
      ['1', 3_000, 12],
      ['2', 1_000, 20],
    ]);
    expect(await points(store, { from: 2_000, to: 2_000 })).toEqual([
      ['1', 2_000, 11],
      ['2', 1_000, 20],
    ]);
    expect(await points(store, { to: 1_500 })).toEqual([
      ['1', 1_000, 10],
      ['2', 1_000, 20],
    ]);
    const profiles = await store.profileHistory!('hist', { from: 1_500, to: 3_000 });
    expect(profiles.map((s) => [s.crawledAt, s.fansCount])).toEqual([
      [2_000, 2],
      [3_000, 3],
    ]);
    // A crawl taken at 2 500 and saved late: the stored series has no row in its past.
    await store.saveUser(crawl([article('1', 99), article('2', 98)]), 2_500);
    expect(await points(store)).toEqual([
      ['1', 1_000, 10],
      ['1', 2_000, 11],
      ['1', 3_000, 12],
      ['2', 1_000, 20],
    ]);
  });

  it('history: an article missing from a complete list is deleted; it reappears cleanly', async () => {
    const store = current();
    const all = () => [article('1', 10), article('2', 20), article('3', 30)];
    await store.saveUser(crawl(all(), true), 100);
    await store.saveUser(crawl([article('1', 10), article('2', 21)], true), 200);
    expect(await deleted(store)).toEqual({ '1': undefined, '2': undefined, '3': 200 });
    // Still missing: the mark keeps the first crawl that missed it; saving a crawl twice changes nothing.
    await store.saveUser(crawl([article('1', 10), article('2', 21)], true), 300);
    await store.saveUser(crawl([article('1', 10), article('2', 21)], true), 300);
    expect((await deleted(store))['3']).toBe(200);
    // Back with the same counters: no new point; back with new ones: one.
    await store.saveUser(crawl(all(), true), 400);
    expect(await deleted(store)).toEqual({ '1': undefined, '2': undefined, '3': undefined });
    await store.saveUser(crawl([article('1', 10), article('2', 21)], true), 500);
    await store.saveUser(crawl([article('1', 10), article('2', 21), article('3', 35)], true), 600);
    expect(await deleted(store)).toEqual({ '1': undefined, '2': undefined, '3': undefined });
    expect((await points(store)).filter(([id]) => id === '3')).toEqual([
      ['3', 100, 30],
      ['3', 600, 35],
    ]);
    // Everything gone: an empty complete list.
    await store.saveUser(crawl([], true), 700);
    expect(await deleted(store)).toEqual({ '1': 700, '2': 700, '3': 700 });
    expect(await store.getArticles('hist')).toHaveLength(3);
  });

  it('history: a capped or incomplete list, or an older crawl, never marks a deletion', async () => {
    const store = current();
    await store.saveUser(crawl([article('1', 10), article('2', 20), article('3', 30)], true), 100);
    await store.saveUser(crawl([article('1', 10)], false), 200);
    await store.saveUser(crawl([article('1', 10)]), 300);
    expect(await deleted(store)).toEqual({ '1': undefined, '2': undefined, '3': undefined });
    // Complete, but taken before the newest stored crawl: it says nothing about now.
    await store.saveUser(crawl([], true), 250);
    expect(await deleted(store)).toEqual({ '1': undefined, '2': undefined, '3': undefined });
    // A stored deletion is not undone by an older crawl that still listed the article.
    await store.saveUser(crawl([article('1', 10)], true), 400);
    await store.saveUser(crawl([article('1', 10), article('2', 20)], true), 350);
    expect(await deleted(store)).toEqual({ '1': undefined, '2': 400, '3': 400 });
  });

  it('history: streams every point with the deletion mark, in (user, article, time) order', async () => {
    const store = current();
    if (!store.iterateArticleHistory) return;
    await store.saveUser(crawl([article('1', 10), article('2', 20)], true), 100);
    await store.saveUser(crawl([article('1', 11)], true), 200);
    await store.saveUser(
      { ...crawl([article('9', 1)]), username: 'a-first', profile: { username: 'a-first' } },
      150,
    );
    const seen: unknown[] = [];
    for await (const p of store.iterateArticleHistory())
      seen.push([p.username, p.articleId, p.crawledAt, p.viewCount, p.deletedAt]);
    expect(seen).toEqual([
      ['a-first', '9', 150, 1, undefined],
      ['hist', '1', 100, 10, undefined],
      ['hist', '1', 200, 11, undefined],
      ['hist', '2', 100, 20, 200],
    ]);
  });
}
