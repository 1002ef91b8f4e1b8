import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { openResultStore } from '../src/stores/open.js';
import { minimalRequests, type Replica, startReplica } from '../src/testing/replica/index.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';
import { type Counts, countingSite } from './helpers/counting-site.js';

// Issue 14: per user, the home page and the list pages the answers need, nothing read twice
// unless the list moved. The whole crawler against the realistic replica (faults, latency and
// articles published while a user's list is walked): the requests the adapter chose to make,
// counted per attempt (retries of a faulted request inside the HTTP client are not its choice
// and are reported apart), within 2 % of the minimum; every user exactly as the replica says.

const USERS = 800;

describe('requests per user on the realistic replica', () => {
  let replica: Replica;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'csdn-minreq-'));

  beforeAll(async () => {
    replica = await startReplica({ users: USERS, seed: 14, faults: 'realistic' });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stay within 2 % of the minimum, and every user is exact', { timeout: 300_000 }, async () => {
    const counting = countingSite(createCsdnAdapter({ baseUrl: replica.url }));
    const crawler = createCrawler({
      baseUrl: replica.url,
      site: counting.adapter,
      dataDir,
      ids: replica.usernames,
      concurrency: 8,
      driver: 'http',
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      retries: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1000 },
      requestTimeoutMs: 5000,
    });
    const summary = await crawler.run();
    expect(summary.failed).toBe(0);
    expect(summary.done).toBe(USERS);

    const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
    const sum: Counts = { home: 0, articleList: 0, tabTotal: 0, fans: 0, follows: 0 };
    let minimum = 0;
    let minimumArticles = 0;
    const diffs: string[] = [];
    const under: string[] = [];
    try {
      for (const username of replica.usernames) {
        const truth = replica.truth(username);
        if (!truth) throw new Error(`no truth for ${username}`);
        diffs.push(...(await diffAgainstTruth(results, username, truth)));
        const least = minimalRequests({
          articles: truth.articles.length,
          drafts: replica.drafts(username) ?? 0,
          fans: truth.fans.length,
          follows: truth.follows.length,
        });
        const used = counting.chosen.get(username);
        if (!used) throw new Error(`no successful attempt counted for ${username}`);
        for (const kind of Object.keys(sum) as (keyof Counts)[]) sum[kind] += used[kind];
        const total = Object.values(used).reduce((a, b) => a + b, 0);
        // fewer than the minimum would mean the minimum is wrong (or the crawl is not exact)
        if (total < least.total) under.push(`${username}: ${total} < ${least.total}`);
        minimum += least.total;
        minimumArticles += least.home + least.articleList;
      }
    } finally {
      await results.close();
    }
    expect(diffs.slice(0, 20)).toEqual([]);
    expect(under).toEqual([]);

    const stats = replica.stats();
    const published = stats.faults.publishMidWalk ?? 0;
    const chosen = Object.values(sum).reduce((a, b) => a + b, 0);
    const faulted = stats.total - chosen;
    console.log(
      `minimal requests: ${USERS} users, chosen ${chosen} (${(chosen / USERS).toFixed(3)} per user: home ${sum.home}, article list ${sum.articleList}, tab total ${sum.tabTotal}, fans ${sum.fans}, follows ${sum.follows}), minimum ${minimum} (${(minimum / USERS).toFixed(3)} per user), ratio ${(chosen / minimum).toFixed(4)}; home + article list ${sum.home + sum.articleList} vs ${minimumArticles} (${((sum.home + sum.articleList) / minimumArticles).toFixed(4)}); ${published} articles published mid-walk; sent at the replica ${stats.total}: ${faulted} more than chosen (request retries after faults, and ${counting.failed().attempts} failed attempts with ${counting.failed().requests} requests)`,
    );
    // the run really saw the list move under the crawler, and the crawl stayed exact through it
    expect(published).toBeGreaterThan(0);
    expect(chosen / minimum).toBeLessThanOrEqual(1.02);
    expect((sum.home + sum.articleList) / minimumArticles).toBeLessThanOrEqual(1.02);
    // get-tab-total decides nothing when every answer states its total
    expect(sum.tabTotal).toBe(0);
    // every request beyond the chosen ones answers a fault the replica injected
    const injected = Object.entries(stats.faults)
      .filter(([name]) => name !== 'publishMidWalk')
      .reduce((a, [, n]) => a + n, 0);
    expect(faulted).toBeGreaterThanOrEqual(0);
    expect(faulted).toBeLessThanOrEqual(injected + counting.failed().requests);
  });
});
