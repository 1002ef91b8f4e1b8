import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../src/core/model.js';
import { type CreateCrawlerOptions, createCrawler } from '../src/crawler/create-crawler.js';
import { openResultStore } from '../src/stores/open.js';
import type { Replica } from '../src/testing/replica/index.js';
import { tagBrowserProcesses } from './helpers/browser-processes.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';
import { replicaPool } from './helpers/replica-pool.js';
import {
  PROFILE_FIELDS_LEGACY as LEGACY_PROFILE,
  PROFILE_FIELDS_TODAY as TODAY_PROFILE,
} from './helpers/truth-fields.js';

/**
 * The adversarial users (nicknames, titles and descriptions spelling every page marker) are
 * crawled exactly: never "not found", never a challenge, never the wrong skin or page count.
 */

const browsers = tagBrowserProcesses();
const { root, start: replicaFor } = replicaPool('csdn-adversarial-e2e-', { users: 10, seed: 11 });

async function crawl(name: string, replica: Replica, ids: string[], options: CreateCrawlerOptions) {
  const dataDir = path.join(root, name);
  const summary = await createCrawler({
    baseUrl: replica.url,
    dataDir,
    ids,
    concurrency: 4,
    politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
    retries: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 },
    ...options,
  }).run();
  return { summary, dataDir };
}

async function expectTruth(
  dataDir: string,
  replica: Replica,
  usernames: string[],
  fields: (keyof Profile)[],
  source: string,
) {
  const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
  try {
    const diffs: string[] = [];
    for (const u of usernames) diffs.push(...(await diffAgainstTruth(results, u, replica.truth(u)!, fields)));
    expect(diffs.slice(0, 10)).toEqual([]);
    for (const u of usernames) expect((await results.getUser(u))?.source, u).toBe(source);
  } finally {
    await results.close();
  }
}

describe('adversarial users over HTTP', () => {
  it("today's skin: every adversarial user exact, the real missing users not found", {
    timeout: 60_000,
  }, async () => {
    const replica = await replicaFor({});
    const ids = [...replica.adversarialUsernames, ...replica.missingUsernames.slice(0, 2)];
    const { summary, dataDir } = await crawl('today-http', replica, ids, { driver: 'http' });
    expect(summary).toMatchObject({ done: replica.adversarialUsernames.length, notfound: 2, failed: 0 });
    await expectTruth(dataDir, replica, replica.adversarialUsernames, TODAY_PROFILE, 'api');
  });

  it('the legacy skin (no JSON API): pager vars and empty lists read from the page, not the nicknames', {
    timeout: 60_000,
  }, async () => {
    const replica = await replicaFor({ legacyOnly: true });
    const { summary, dataDir } = await crawl('legacy-http', replica, replica.adversarialUsernames, {
      driver: 'http',
    });
    expect(summary).toMatchObject({ done: replica.adversarialUsernames.length, failed: 0 });
    await expectTruth(dataDir, replica, replica.adversarialUsernames, LEGACY_PROFILE, 'legacy-http');
  });
});

describe('adversarial users with driver auto', () => {
  it('behind the 521 check: passed in a browser on an adversarial page, then every user exact', {
    timeout: 120_000,
  }, async () => {
    const replica = await replicaFor({ faults: 'challenge' });
    const ids = ['adv_anquan', ...replica.adversarialUsernames.filter((u) => u !== 'adv_anquan')];
    const { summary, dataDir } = await crawl('auto-challenge', replica, ids, {
      driver: 'auto',
      concurrency: 2,
    });
    expect(summary).toMatchObject({ done: ids.length, failed: 0 });
    await expectTruth(dataDir, replica, ids, TODAY_PROFILE, 'api');
    expect(replica.stats().faults.challenge ?? 0).toBeGreaterThan(0);
    expect(browsers.live()).toEqual([]);
  });

  it('the legacy skin', { timeout: 60_000 }, async () => {
    const replica = await replicaFor({ legacyOnly: true });
    const { summary, dataDir } = await crawl('auto-legacy', replica, replica.adversarialUsernames, {
      driver: 'auto',
    });
    expect(summary).toMatchObject({ done: replica.adversarialUsernames.length, failed: 0 });
    await expectTruth(dataDir, replica, replica.adversarialUsernames, LEGACY_PROFILE, 'legacy-http');
    expect(browsers.live()).toEqual([]);
  });
});

// A few users and capped lists: walking by clicking is the expensive part.
const BROWSER_USERS = ['adv_pager_vars', 'adv_kongkong', '404NotFound', 'adv_next_page'];

describe.each(['playwright', 'selenium'] as const)(
  'adversarial legacy users walked by clicking with %s',
  (driver) => {
    it('a few users, capped lists, equal the truth', { timeout: 120_000 }, async () => {
      const replica = await replicaFor({
        legacyOnly: true,
        overlay: true,
        pagerDelayMs: [10, 40],
        maxArticlesPerUser: 25,
      });
      const { summary, dataDir } = await crawl(`legacy-${driver}`, replica, BROWSER_USERS, {
        driver,
        concurrency: 2,
        browser: { browsers: 1, pagesPerBrowser: 2 },
      });
      expect(summary).toMatchObject({ done: BROWSER_USERS.length, failed: 0 });
      await expectTruth(dataDir, replica, BROWSER_USERS, LEGACY_PROFILE, 'legacy-browser');
      expect(browsers.live()).toEqual([]);
    });
  },
);
