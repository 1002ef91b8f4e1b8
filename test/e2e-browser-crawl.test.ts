import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../src/core/model.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { openResultStore } from '../src/stores/open.js';
import type { Replica } from '../src/testing/replica/index.js';
import { tagBrowserProcesses } from './helpers/browser-processes.js';
import { waitFor } from './helpers/cli-process.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';
import { replicaPool } from './helpers/replica-pool.js';
import { PROFILE_FIELDS_LEGACY as LEGACY_PROFILE } from './helpers/truth-fields.js';

const browsers = tagBrowserProcesses();
const { root, start: replicaFor } = replicaPool('csdn-browser-e2e-');

async function expectTruth(
  dataDir: string,
  replica: Replica,
  usernames: string[],
  profile?: (keyof Profile)[],
  source?: string,
) {
  const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
  try {
    const diffs: string[] = [];
    for (const u of usernames)
      diffs.push(...(await diffAgainstTruth(results, u, replica.truth(u)!, profile)));
    expect(diffs.slice(0, 10)).toEqual([]);
    if (source) {
      for (const u of usernames) expect((await results.getUser(u))?.source).toBe(source);
    }
    expect((await results.counts()).snapshots).toBe(usernames.length);
  } finally {
    await results.close();
  }
}

describe.each(['playwright', 'selenium'] as const)('the legacy skin walked by clicking with %s', (driver) => {
  it('200 users behind the overlay, with hidden dummies and pager delays, equal the truth', {
    timeout: 240_000,
  }, async () => {
    const replica = await replicaFor({
      users: 200,
      seed: 5,
      legacyOnly: true,
      overlay: true,
      pagerDelayMs: [20, 120],
      maxArticlesPerUser: 60,
    });
    const dataDir = path.join(root, `legacy-${driver}`);
    const summary = await createCrawler({
      baseUrl: replica.url,
      dataDir,
      ids: replica.usernames,
      driver,
      concurrency: 6,
      browser: { browsers: 2, pagesPerBrowser: 3 },
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      retries: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    }).run();
    expect(summary).toMatchObject({ done: 200, failed: 0 });
    await expectTruth(dataDir, replica, replica.usernames, LEGACY_PROFILE, 'legacy-browser');
    expect(browsers.live()).toEqual([]);
  });
});

describe('HTTP with browser fallback', () => {
  it('passes the 521 challenge in a browser and completes every challenged user over HTTP', {
    timeout: 120_000,
  }, async () => {
    const replica = await replicaFor({ users: 60, seed: 3, faults: 'challenge' });
    const dataDir = path.join(root, 'challenge');
    const summary = await createCrawler({
      baseUrl: replica.url,
      dataDir,
      ids: replica.usernames,
      driver: 'auto',
      concurrency: 8,
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      retries: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    }).run();
    expect(summary).toMatchObject({ done: 60, failed: 0 });
    await expectTruth(dataDir, replica, replica.usernames, undefined, 'api');
    expect(replica.stats().faults.challenge ?? 0).toBeGreaterThan(0);
    expect(browsers.live()).toEqual([]);
  });
});

describe('hanging pages and a browser killed mid-crawl', () => {
  it('still completes every user and leaves no browser process', { timeout: 180_000 }, async () => {
    const replica = await replicaFor({
      users: 24,
      seed: 9,
      legacyOnly: true,
      pagerDelayMs: [20, 80],
      maxArticlesPerUser: 60,
      faults: { hang: 0.02 },
    });
    const dataDir = path.join(root, 'kill');
    const crawler = createCrawler({
      baseUrl: replica.url,
      dataDir,
      ids: replica.usernames,
      driver: 'playwright',
      concurrency: 4,
      browser: { browsers: 2, pagesPerBrowser: 2, pageTimeoutMs: 2000 },
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      retries: { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 1000 },
      requestTimeoutMs: 2000,
    });
    let done = 0;
    crawler.on('userDone', () => {
      done++;
    });
    const running = crawler.run();
    await waitFor(() => done >= 5 && browsers.live().length > 0, 60_000, 'a few users done with browsers up');
    const victim = browsers.live()[0];
    process.kill(victim, 'SIGKILL');
    const summary = await running;
    expect(summary).toMatchObject({ done: 24, failed: 0 });
    expect(replica.stats().faults.hang ?? 0).toBeGreaterThan(0);
    await expectTruth(dataDir, replica, replica.usernames, LEGACY_PROFILE);
    expect(browsers.live()).toEqual([]);
  });
});
