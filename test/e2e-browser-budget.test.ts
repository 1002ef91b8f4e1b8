import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tagBrowserProcesses } from './helpers/browser-processes.js';
import { crawlLegacyInBrowser, expectLegacyBrowserExact } from './helpers/legacy-browser-crawl.js';
import { replicaPool } from './helpers/replica-pool.js';

/**
 * Browser page loads are requests at the site too: the legacy walk's gotos and pager clicks take
 * their starts from the host's budget, as HTTP requests do, and a 429 the browser sees holds the
 * host for its Retry-After. Two pages walk at once with a pager that answers in 5-20 ms, so an
 * unpaced walk would go far above the rate.
 */
const browsers = tagBrowserProcesses();
const { root, start: startReplica } = replicaPool('csdn-browser-budget-e2e-');
const RATE = 2;

describe.each(['playwright', 'selenium'] as const)('browser loads on the host budget with %s', (driver) => {
  it('keep to the rate, ask for no favicon, and (seeing headers) hold for each Retry-After', {
    timeout: 120_000,
  }, async () => {
    const replica = await startReplica({
      users: 8,
      seed: driver === 'playwright' ? 51 : 52,
      legacyOnly: true,
      overlay: false,
      pagerDelayMs: [5, 20],
      maxArticlesPerUser: 120,
      longUsers: { count: 2, articles: [200, 260] },
      // counted, not refused: a load inside a window shows as a violation
      faults: { latencyMs: 5, throttle: 0.15, enforceRetryAfter: false },
    });
    const ids = replica.usernames.slice(0, 4);
    const dataDir = path.join(root, driver);
    const summary = await crawlLegacyInBrowser(replica, driver, dataDir, ids, {
      maxInFlightPerHost: 8,
      minDelayMs: 1000 / RATE,
    });
    expect(summary).toMatchObject({ done: 4, failed: 0 });
    await expectLegacyBrowserExact(path.join(dataDir, 'results.sqlite'), replica, ids);
    const stats = replica.stats();
    // enough list pages walked by clicking for an unpaced walk to show
    expect(Object.keys(stats.legacyPages).length).toBeGreaterThanOrEqual(20);
    expect(stats.faults.throttle ?? 0).toBeGreaterThan(0);
    // Chromium's own /favicon.ico (routed as the home page of a user "favicon.ico") is blocked:
    // the home pages read are the users' own (and a retry or two), not one per list page
    expect(stats.endpoints.home ?? 0).toBeLessThan(ids.length + 5);
    // Playwright reports each document's 429 as it arrives and the host is held at once; only a
    // pager click whose slot was granted just before the 429 arrived can still leave within its
    // window (a click takes its slot, then the page's script navigates): at most one per 429.
    // Unpaced, each 429 saw four loads or more inside its window. Selenium cannot see a
    // document's headers: its 429s hold nothing (docs/drivers.md).
    if (driver === 'playwright')
      expect(stats.retryAfterViolations).toBeLessThanOrEqual(stats.faults.throttle ?? 0);
    // a start every 500 ms: a 1-second window holds RATE + 1 of them, and one more when a
    // click's load left late (the page's script navigates after the click); unpaced, 6 or 7
    expect(stats.peakPerSecond).toBeLessThanOrEqual(RATE + 2);
    expect(browsers.live()).toEqual([]);
  });
});
