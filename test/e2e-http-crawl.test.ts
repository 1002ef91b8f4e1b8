import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliLogger } from '../src/cli/logger.js';
import { ID_SETS } from '../src/core/state-store.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';

describe('crawling 500 replica users over HTTP under the realistic preset', () => {
  let replica: Replica;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'csdn-e2e-'));

  beforeAll(async () => {
    replica = await startReplica({ users: 500, seed: 7, faults: 'realistic' });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends with every user in a final set and the stored results equal to the truth', {
    timeout: 180_000,
  }, async () => {
    const ids = [...replica.usernames, ...replica.missingUsernames, 'bad id!', 'x'.repeat(200)];
    const invalid: string[] = [];
    const crawler = createCrawler({
      baseUrl: replica.url,
      dataDir,
      ids,
      concurrency: 16,
      driver: 'http',
      politeness: { maxInFlightPerHost: 16, minDelayMs: 0 },
      retries: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1000 },
      requestTimeoutMs: 2000,
      onInvalidId: (input) => invalid.push(input),
      logger: process.env.E2E_LOG ? createCliLogger({ json: false }) : undefined,
    });
    const summary = await crawler.run();
    expect(invalid).toEqual(['bad id!', 'x'.repeat(200)]);
    expect(summary.failed).toBe(0);
    expect(summary.done).toBe(replica.usernames.length);
    expect(summary.notfound).toBe(replica.missingUsernames.length);

    const state = await openStateStore(path.join(dataDir, 'state.sqlite'));
    const counts = await state.counts();
    await state.close();
    expect(counts.done).toBe(replica.usernames.length);
    expect(counts.notfound).toBe(replica.missingUsernames.length);
    for (const set of ID_SETS.filter((s) => !['done', 'notfound'].includes(s))) expect(counts[set]).toBe(0);

    const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
    try {
      const diffs: string[] = [];
      for (const username of replica.usernames) {
        diffs.push(...(await diffAgainstTruth(results, username, replica.truth(username)!)));
      }
      expect(diffs.slice(0, 20)).toEqual([]);
      for (const missing of replica.missingUsernames) {
        expect((await results.getUser(missing))?.status).toBe('notfound');
      }
      const stats = replica.stats();
      // The preset really injected faults, so the equality above was earned through them.
      const injected = Object.entries(stats.faults)
        .filter(([, n]) => n > 0)
        .map(([f]) => f);
      expect(injected.length).toBeGreaterThanOrEqual(3);
    } finally {
      await results.close();
    }
  });
});
