import { describe, expect, it } from 'vitest';
import {
  dueAfter,
  jitterFactor,
  nextIntervalMs,
  previousIntervalMs,
  type RefreshSettings,
} from '../src/core/engine/refresh-cadence.js';
import { createRefreshPlanner } from '../src/core/engine/refresh-planner.js';
import { articlesChanged, profileChanged } from '../src/core/engine/result-changed.js';
import type { Article, UserResult } from '../src/core/model.js';
import type { StoredUser } from '../src/core/result-store.js';
import type { Lease } from '../src/core/state-store.js';

const H = 3_600_000;
const settings: RefreshSettings = {
  everyMs: 24 * H,
  notfoundEveryMs: 7 * 24 * H,
  minMs: 6 * H,
  maxMs: 7 * 24 * H,
  jitter: 0.1,
  adaptive: true,
};

function article(id: string, views: number): Article {
  return {
    articleId: id,
    title: `t${id}`,
    url: `u${id}`,
    type: 'original',
    postTime: '',
    viewCount: views,
    commentCount: 0,
  };
}

describe('refresh cadence', () => {
  it('first crawl: every; changed halves down to min; unchanged doubles up to max', () => {
    expect(nextIntervalMs(settings, { previousMs: undefined, changed: undefined })).toBe(24 * H);
    expect(nextIntervalMs(settings, { previousMs: 24 * H, changed: undefined })).toBe(24 * H);
    expect(nextIntervalMs(settings, { previousMs: undefined, changed: true })).toBe(24 * H);
    expect(nextIntervalMs(settings, { previousMs: 24 * H, changed: true })).toBe(12 * H);
    expect(nextIntervalMs(settings, { previousMs: 8 * H, changed: true })).toBe(6 * H);
    expect(nextIntervalMs(settings, { previousMs: 24 * H, changed: false })).toBe(48 * H);
    expect(nextIntervalMs(settings, { previousMs: 96 * H, changed: false })).toBe(168 * H);
    expect(nextIntervalMs(settings, { previousMs: 168 * H, changed: true })).toBe(84 * H);
  });

  it('not adaptive: always every', () => {
    const fixed = { ...settings, adaptive: false };
    expect(nextIntervalMs(fixed, { previousMs: 96 * H, changed: false })).toBe(24 * H);
    expect(nextIntervalMs(fixed, { previousMs: 96 * H, changed: true })).toBe(24 * H);
  });

  it('jitter is a stable factor per ID within ±jitter, and spreads IDs', () => {
    const factors = Array.from({ length: 1000 }, (_, i) => jitterFactor(`user${i}`, 0.1));
    expect(factors.every((f) => f >= 0.9 && f <= 1.1)).toBe(true);
    expect(jitterFactor('user7', 0.1)).toBe(factors[7]);
    expect(Math.min(...factors)).toBeLessThan(0.92);
    expect(Math.max(...factors)).toBeGreaterThan(1.08);
    expect(jitterFactor('anyone', 0)).toBe(1);
  });

  it('the previous interval reads back exactly from the due time and the crawl time', () => {
    for (const id of ['a', 'weixin_38171180', 'qq_29757283']) {
      for (const interval of [6 * H, 24 * H, 168 * H]) {
        const crawledAt = 1_700_000_000_000;
        const due = dueAfter(id, crawledAt, interval, 0.1);
        expect(previousIntervalMs(id, due, crawledAt, 0.1)).toBe(interval);
      }
    }
    expect(previousIntervalMs('a', 1000, undefined, 0.1)).toBeUndefined();
    expect(previousIntervalMs('a', 1000, 2000, 0.1)).toBeUndefined();
  });
});

describe('what counts as a change', () => {
  it('profile counters count, names do not', () => {
    const p = { username: 'a', nickname: 'A', viewCount: 10, fansCount: 2, articleCount: 3 };
    expect(profileChanged(p, { ...p })).toBe(false);
    expect(profileChanged(p, { ...p, nickname: 'B' })).toBe(false);
    expect(profileChanged(p, { ...p, viewCount: 11 })).toBe(true);
    expect(profileChanged(p, { ...p, articleCount: 2 })).toBe(true);
    expect(profileChanged(p, { ...p, rank: 5 })).toBe(true);
  });

  it('a new article or a moved counter counts; a stored deleted article does not', () => {
    const before = [article('1', 5), article('2', 7)];
    expect(articlesChanged(before, [article('1', 5), article('2', 7)])).toBe(false);
    expect(articlesChanged(before, [article('1', 5)])).toBe(false);
    expect(articlesChanged(before, [article('1', 6), article('2', 7)])).toBe(true);
    expect(articlesChanged(before, [article('1', 5), article('2', 7), article('3', 0)])).toBe(true);
    expect(articlesChanged(before, [{ ...article('1', 5), diggCount: 1 }, article('2', 7)])).toBe(true);
  });
});

describe('refresh planner', () => {
  const result: UserResult = {
    username: 'u',
    profile: { username: 'u', viewCount: 10 },
    articles: [article('1', 5)],
    source: 'api',
  };
  function planner(stored: Article[]) {
    let reads = 0;
    const p = createRefreshPlanner({
      refresh: settings,
      results: {
        getArticles: async () => {
          reads++;
          return stored.map((a) => ({ ...a, firstSeen: 0, lastSeen: 0 }));
        },
      },
      store: (work) => work,
    });
    return { p, reads: () => reads };
  }
  const T0 = 1_700_000_000_000;
  const previous: StoredUser = { username: 'u', status: 'done', lastCrawledAt: T0, profile: result.profile };
  const refreshLease = (interval: number): Lease => ({
    id: 'u',
    owner: 'w',
    expiresAt: 0,
    attempts: 0,
    depth: 0,
    refresh: true,
    enqueuedAt: dueAfter('u', T0, interval, settings.jitter),
  });
  const at = T0 + 25 * H;
  const expected = (interval: number) => dueAfter('u', at, interval, settings.jitter);

  it('first crawl: due every after it, without reading articles', async () => {
    const { p, reads } = planner([]);
    const lease: Lease = { id: 'u', owner: 'w', expiresAt: 0, attempts: 0, depth: 0, enqueuedAt: T0 };
    expect(await p.afterDone(lease, undefined, result, at)).toBe(expected(24 * H));
    expect(reads()).toBe(0);
  });

  it('a refresh with nothing changed doubles the interval (one article read)', async () => {
    const { p, reads } = planner([article('1', 5)]);
    expect(await p.afterDone(refreshLease(24 * H), previous, result, at)).toBe(expected(48 * H));
    expect(reads()).toBe(1);
  });

  it('a changed profile halves it without reading the articles', async () => {
    const { p, reads } = planner([article('1', 5)]);
    const before = { ...previous, profile: { username: 'u', viewCount: 9 } };
    expect(await p.afterDone(refreshLease(24 * H), before, result, at)).toBe(expected(12 * H));
    expect(reads()).toBe(0);
  });

  it('a moved article counter halves it', async () => {
    const { p } = planner([article('1', 4)]);
    expect(await p.afterDone(refreshLease(48 * H), previous, result, at)).toBe(expected(24 * H));
  });

  it('notfound: notfoundEvery; failed: no due time', () => {
    const { p } = planner([]);
    expect(p.afterOutcome('u', 'notfound', at)).toBe(dueAfter('u', at, 7 * 24 * H, 0.1));
    expect(p.afterOutcome('u', 'failed', at)).toBeUndefined();
    expect(p.afterOutcome('u', 'done', at)).toBe(expected(24 * H));
  });
});
