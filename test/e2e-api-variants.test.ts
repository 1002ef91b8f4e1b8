import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article, Profile } from '../src/core/model.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { openResultStore } from '../src/stores/open.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';
import { PROFILE_FIELDS_API } from './helpers/truth-fields.js';

// The whole crawler (engine, retries, SQLite result store) against a replica serving every
// shape public captures disagree on at once, under realistic faults: the stored results equal
// the truth, down to collectCount being absent (not 0, not null) and the achievement counters.

const PROFILE: (keyof Profile)[] = [...PROFILE_FIELDS_API, 'likeCount', 'commentCount', 'favouriteCount'];
const ARTICLE: (keyof Article)[] = [
  'articleId',
  'title',
  'url',
  'type',
  'postTime',
  'viewCount',
  'commentCount',
  'diggCount',
  'collectCount',
  'top',
];

describe('crawling a replica serving every API variant at once', () => {
  let replica: Replica;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'csdn-variants-'));

  beforeAll(async () => {
    replica = await startReplica({
      users: 150,
      seed: 5,
      faults: 'realistic',
      maxArticlesPerUser: 600,
      apiVariant: {
        businessListPageCap: 20,
        omitCollectCount: true,
        omitTotal: true,
        fansApi: 'v2',
        achievements: 'template',
      },
    });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores exactly the truth for every user', { timeout: 180_000 }, async () => {
    const crawler = createCrawler({
      baseUrl: replica.url,
      dataDir,
      ids: replica.usernames,
      concurrency: 8,
      driver: 'http',
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      retries: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1000 },
      requestTimeoutMs: 2000,
    });
    const summary = await crawler.run();
    expect(summary.failed).toBe(0);
    expect(summary.done).toBe(replica.usernames.length);

    const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
    try {
      const diffs: string[] = [];
      let articles = 0;
      for (const username of replica.usernames) {
        const truth = replica.truth(username);
        if (!truth) throw new Error(`no truth for ${username}`);
        articles += truth.articles.length;
        diffs.push(...(await diffAgainstTruth(results, username, truth, PROFILE, ARTICLE)));
      }
      expect(diffs.slice(0, 20)).toEqual([]);
      // the population really has lists longer than the 20 the site serves per page
      expect(articles).toBeGreaterThan(replica.usernames.length * 20);
    } finally {
      await results.close();
    }
  });
});
