import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tagBrowserProcesses } from './helpers/browser-processes.js';
import { crawlLegacyInBrowser, expectLegacyBrowserExact } from './helpers/legacy-browser-crawl.js';
import { replicaPool } from './helpers/replica-pool.js';

/**
 * The whole crawler with a real browser on the 2019 skin with per-page faults: users of 40-60
 * list pages meet 5xx pages, 429s with and without Retry-After, resets, blank pages and stale
 * pages (a wrong `currentPage`) on the pages reached by clicking 下一页, and still come out
 * exactly as the replica's truth.
 */
const browsers = tagBrowserProcesses();
const { root, start: startReplica } = replicaPool('csdn-page-faults-e2e-');

describe.each(['playwright', 'selenium'] as const)(
  'legacy users of 40-60 pages on a faulty site with %s',
  (driver) => {
    it('are crawled exactly, every broken page reloaded where it broke', { timeout: 240_000 }, async () => {
      const replica = await startReplica({
        users: 12,
        seed: driver === 'playwright' ? 31 : 32,
        legacyOnly: true,
        overlay: true,
        pagerDelayMs: [5, 20],
        maxArticlesPerUser: 60,
        longUsers: { count: 2, articles: [790, 1200] },
        faults: {
          serverError: 0.02,
          throttle: 0.02,
          throttleBare: 0.5,
          reset: 0.01,
          blank: 0.01,
          wrongPage: 0.02,
        },
      });
      const ids = replica.usernames.slice(0, 4);
      const dataDir = path.join(root, driver);
      const summary = await crawlLegacyInBrowser(replica, driver, dataDir, ids, {
        maxInFlightPerHost: 8,
        minDelayMs: 0,
      });
      expect(summary).toMatchObject({ done: 4, failed: 0 });
      await expectLegacyBrowserExact(path.join(dataDir, 'results.sqlite'), replica, ids);
      const stats = replica.stats();
      for (const u of ids.slice(0, 2)) {
        const pages = Math.ceil(replica.truth(u)!.articles.length / 20);
        expect(pages).toBeGreaterThanOrEqual(40);
        expect(pages).toBeLessThanOrEqual(60);
      }
      const broken = ['serverError', 'throttle', 'reset', 'blank', 'wrongPage'].reduce(
        (n, k) => n + (stats.faults[k] ?? 0),
        0,
      );
      expect(broken).toBeGreaterThan(0);
      // a page is read again where it broke, not the list from page 1: extra reads stay near the
      // number of faults, far below the pages a restart from page 1 would read again
      const listReads = Object.values(stats.legacyPages).reduce((n, c) => n + c, 0);
      const listPages = Object.keys(stats.legacyPages).length;
      expect(listReads - listPages).toBeLessThanOrEqual(broken * 2 + 4);
      expect(browsers.live()).toEqual([]);
    });
  },
);
