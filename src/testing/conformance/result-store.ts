import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article, UserResult } from '../../core/model.js';
import type { ResultStore } from '../../core/result-store.js';
import { historyConformance } from './result-store-history.js';

export interface ResultStoreHandle {
  store: ResultStore;
  /** A second instance on the same database, for concurrent writers. */
  openAnother?: () => Promise<ResultStore>;
  cleanup(): Promise<void>;
}

function article(id: string, postTime: string, viewCount: number, extra: Partial<Article> = {}): Article {
  return {
    articleId: id,
    title: `Title ${id} <b>&</b>`,
    url: `https://blog.csdn.net/u/article/details/${id}`,
    type: 'original',
    postTime,
    viewCount,
    commentCount: 1,
    ...extra,
  };
}

function sample(username = 'alice'): UserResult {
  return {
    username,
    source: 'api',
    profile: {
      username,
      nickname: 'Alice 爱丽丝',
      level: 5,
      fansCount: 10,
      viewCount: 12345,
      blogUrl: 'https://x',
    },
    articles: [
      article('90000000002', '2019-05-02 10:00:00', 100, { diggCount: 3, collectCount: 1, top: true }),
      article('90000000001', '2019-05-01 09:00:00', 50, { type: 'reprint' }),
      article('8000001', '2018-01-01 00:00:00', 7),
    ],
    follows: ['bob', 'carol'],
    fans: ['dave'],
  };
}

/** The shared ResultStore suite: every implementation must pass it unchanged. */
export function resultStoreConformance(name: string, factory: () => Promise<ResultStoreHandle>): void {
  describe(`ResultStore conformance: ${name}`, () => {
    let handle: ResultStoreHandle;
    let store: ResultStore;

    beforeEach(async () => {
      handle = await factory();
      store = handle.store;
    });

    afterEach(async () => {
      await handle.cleanup();
    });

    historyConformance(() => store);

    it('saves a user with profile, articles newest first, and follow edges', async () => {
      await store.saveUser(sample(), 1_000);
      const user = await store.getUser('alice');
      expect(user).toMatchObject({ username: 'alice', status: 'done', source: 'api', lastCrawledAt: 1_000 });
      expect(user?.profile).toEqual({
        username: 'alice',
        nickname: 'Alice 爱丽丝',
        level: 5,
        fansCount: 10,
        viewCount: 12345,
        blogUrl: 'https://x',
      });
      const articles = await store.getArticles('alice');
      expect(articles.map((a) => a.articleId)).toEqual(['90000000002', '90000000001', '8000001']);
      expect(articles[0]).toEqual({
        ...sample().articles[0],
        firstSeen: 1_000,
        lastSeen: 1_000,
      });
      expect(articles[1].diggCount).toBeUndefined();
      expect(articles[1].type).toBe('reprint');
      expect(await store.getEdges('alice')).toEqual({ follows: ['bob', 'carol'], fans: ['dave'] });
      expect(await store.getEdges('bob')).toEqual({ follows: [], fans: ['alice'] });
      expect(await store.getUser('nobody')).toBeUndefined();
      expect(await store.getArticles('nobody')).toEqual([]);
    });

    it('is idempotent: the same crawl saved twice leaves one row each', async () => {
      await store.saveUser(sample(), 1_000);
      await store.saveUser(sample(), 1_000);
      expect(await store.counts()).toEqual({ users: 1, articles: 3, snapshots: 1, edges: 3 });
      expect(await store.getSnapshots('alice')).toHaveLength(1);
    });

    it('keeps a snapshot per crawl and the latest counters per article', async () => {
      await store.saveUser(sample(), 1_000);
      const later = sample();
      later.profile = { ...later.profile, fansCount: 25 };
      later.articles = [
        article('90000000003', '2019-06-01 00:00:00', 1),
        { ...later.articles[0], viewCount: 400 },
      ];
      await store.saveUser(later, 2_000);
      const snapshots = await store.getSnapshots('alice');
      expect(snapshots.map((s) => [s.crawledAt, s.fansCount])).toEqual([
        [1_000, 10],
        [2_000, 25],
      ]);
      expect((await store.getUser('alice'))?.profile?.fansCount).toBe(25);
      const articles = await store.getArticles('alice');
      expect(articles.map((a) => a.articleId)).toEqual([
        '90000000003',
        '90000000002',
        '90000000001',
        '8000001',
      ]);
      const top = articles.find((a) => a.articleId === '90000000002')!;
      expect(top).toMatchObject({ viewCount: 400, firstSeen: 1_000, lastSeen: 2_000 });
      expect(articles.find((a) => a.articleId === '8000001')).toMatchObject({
        firstSeen: 1_000,
        lastSeen: 1_000,
      });
      expect((await store.counts()).snapshots).toBe(2);
      // An older crawl saved late does not roll the counters or the user back.
      await store.saveUser({ ...sample(), articles: [{ ...sample().articles[0], viewCount: 5 }] }, 1_500);
      expect((await store.getArticles('alice')).find((a) => a.articleId === '90000000002')?.viewCount).toBe(
        400,
      );
      expect((await store.getUser('alice'))?.lastCrawledAt).toBe(2_000);
      expect((await store.getSnapshots('alice')).map((s) => s.crawledAt)).toEqual([1_000, 1_500, 2_000]);
    });

    it('ignores duplicate articles and edges within one result', async () => {
      const result = sample('bob');
      result.articles = [...result.articles, result.articles[0]];
      result.follows = ['x', 'x', 'bob', 'y'];
      result.fans = ['x'];
      await store.saveUser(result, 10);
      expect(await store.getEdges('bob')).toEqual({ follows: ['x', 'y'], fans: ['x'] });
      expect(await store.counts()).toMatchObject({ articles: 3, edges: 3 });
    });

    it('a complete list replaces the stored edges on a recrawl; a capped one only adds', async () => {
      const first = sample('alice');
      first.follows = ['bob', 'carol'];
      first.fans = ['dave', 'erin'];
      first.followsComplete = true;
      first.fansComplete = true;
      await store.saveUser(first, 100);
      await store.saveUser({ ...sample('zed'), follows: ['alice'], fans: [] }, 100);

      // Recrawl: alice unfollowed bob and followed frank (complete list); her fans list is
      // capped at one name: erin is beyond the cap, not gone, and must stay.
      const later = sample('alice');
      later.follows = ['carol', 'frank'];
      later.followsComplete = true;
      later.fans = ['dave'];
      later.fansComplete = false;
      await store.saveUser(later, 200);
      expect(await store.getEdges('alice')).toEqual({
        follows: ['carol', 'frank'],
        fans: ['dave', 'erin', 'zed'],
      });
      expect(await store.getEdges('bob')).toEqual({ follows: [], fans: [] });

      // A complete fans list drops the fans that left (zed's edge came from zed's own list).
      await store.saveUser(
        { ...sample('alice'), follows: undefined, fans: ['erin'], fansComplete: true },
        300,
      );
      expect(await store.getEdges('alice')).toEqual({ follows: ['carol', 'frank'], fans: ['erin'] });

      // A list not read leaves the edges alone; an older crawl arriving late never removes any.
      await store.saveUser({ ...sample('alice'), follows: undefined, fans: undefined }, 400);
      await store.saveUser(
        { ...sample('alice'), follows: [], followsComplete: true, fans: [], fansComplete: true },
        50,
      );
      expect(await store.getEdges('alice')).toEqual({ follows: ['carol', 'frank'], fans: ['erin'] });

      // An empty complete list means the user follows nobody now.
      await store.saveUser({ ...sample('alice'), follows: [], followsComplete: true, fans: undefined }, 500);
      expect(await store.getEdges('alice')).toEqual({ follows: [], fans: ['erin'] });
      expect(await store.counts()).toMatchObject({ edges: 1 });
    });

    it('records outcomes without data', async () => {
      await store.saveOutcome('ghost', 'notfound', undefined, 5);
      await store.saveOutcome('broken', 'failed', 'parse error on page 3', 6);
      expect(await store.getUser('ghost')).toMatchObject({ status: 'notfound', lastCrawledAt: 5 });
      expect((await store.getUser('ghost'))?.reason).toBeUndefined();
      expect(await store.getUser('broken')).toMatchObject({
        status: 'failed',
        reason: 'parse error on page 3',
      });
      await store.saveUser(sample('broken'), 7);
      const fixed = await store.getUser('broken');
      expect(fixed).toMatchObject({ status: 'done', lastCrawledAt: 7 });
      expect(fixed?.reason).toBeUndefined();
      expect(await store.counts()).toMatchObject({ users: 2, snapshots: 1 });
    });

    it('iterates every user in username order across pages', async () => {
      const names = Array.from({ length: 520 }, (_, i) => `user${String(i).padStart(4, '0')}`);
      for (const name of [...names].reverse()) await store.saveOutcome(name, 'notfound', undefined, 1);
      await store.saveUser(sample('user0003'), 2);
      const seen: string[] = [];
      for await (const user of store.iterateUsers()) {
        seen.push(user.username);
        if (user.username === 'user0003') expect(user.profile?.nickname).toBe('Alice 爱丽丝');
      }
      expect(seen).toEqual(names);
    });

    it('lets two instances write the same users concurrently', async () => {
      if (!handle.openAnother) {
        expect(handle.openAnother).toBeUndefined();
        return;
      }
      const other = await handle.openAnother();
      try {
        const writes: Promise<void>[] = [];
        for (let i = 0; i < 20; i++) {
          writes.push(store.saveUser(sample(`c${i % 5}`), 100 + (i % 2)));
          writes.push(other.saveUser(sample(`c${i % 5}`), 100 + (i % 2)));
        }
        await Promise.all(writes);
        // Each cN follows bob and carol and is followed by dave.
        expect(await other.counts()).toEqual({ users: 5, articles: 15, snapshots: 10, edges: 15 });
      } finally {
        await other.close();
      }
    });
  });
}
