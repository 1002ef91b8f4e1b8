import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/core/engine/index.js';
import { createHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import {
  engineOptions,
  type LogLine,
  memoryLogger,
  openTestStores,
  type TestStores,
} from './engine-helpers.js';

let replica: Replica | undefined;
let stores: TestStores | undefined;
const closers: (() => void)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await replica?.close();
  await stores?.close();
  replica = undefined;
  stores = undefined;
});

function engineFor(r: Replica, s: TestStores, extra: Partial<Parameters<typeof engineOptions>[0]> = {}) {
  const http = createHttpClient({ defaultTimeoutMs: 5000 });
  closers.push(() => http.close());
  return createEngine(
    engineOptions({
      site: createCsdnAdapter({ baseUrl: r.url }),
      state: s.state,
      results: s.results,
      http,
      concurrency: 8,
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      retries: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 },
      requestRetries: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200, maxThrottleWaitMs: 1500 },
      requestTimeoutMs: 2500,
      userTimeoutMs: 30_000,
      leaseMs: 30_000,
      workerId: 'replica-test',
      browserMode: 'never',
      snapshotsDir: path.join(s.dir, 'snapshots'),
      progressIntervalMs: 100,
      ...extra,
    }),
  );
}

describe('engine on the CSDN replica', () => {
  it('under realistic faults every user ends done or notfound with the true article list', async () => {
    replica = await startReplica({ users: 40, seed: 11, faults: 'realistic' });
    stores = await openTestStores();
    const missing = replica.missingUsernames.slice(0, 3);
    const engine = engineFor(replica, stores, { ids: [...replica.usernames, ...missing] });
    const summary = await engine.run();

    expect(summary).toMatchObject({ done: replica.usernames.length, notfound: missing.length, failed: 0 });
    for (const username of replica.usernames) {
      const truth = replica.truth(username)!;
      const stored = await stores.results.getArticles(username);
      expect(stored.map((a) => a.articleId).sort(), username).toEqual(
        truth.articles.map((a) => a.articleId).sort(),
      );
    }
    expect(await stores.state.counts()).toMatchObject({ pending: 0, leased: 0, failed: 0 });
  });

  it('an outage mid-run: users go back to pending, one line per probe, all done after the site returns', async () => {
    replica = await startReplica({ users: 40, seed: 12, faults: { latencyMs: 10 } });
    stores = await openTestStores();
    const logs: LogLine[] = [];
    const engine = engineFor(replica, stores, {
      ids: replica.usernames,
      concurrency: 4,
      logger: memoryLogger(logs),
      outage: { failureThreshold: 6, firstProbeDelayMs: 100, maxProbeDelayMs: 400 },
    });
    let tookDown = false;
    const r = replica;
    engine.on('userDone', () => {
      if (tookDown) return;
      tookDown = true;
      void r.setDown(true).then(() => setTimeout(() => void r.setDown(false), 2000));
    });
    const downs: string[] = [];
    engine.on('siteDown', (e) => downs.push(e.host));
    const summary = await engine.run();

    expect(summary).toMatchObject({ done: 40, failed: 0, notfound: 0 });
    expect(downs.length).toBe(1);
    const probeLines = logs.filter((l) => /down for .*, next probe in/.test(l.message));
    expect(probeLines.length).toBeGreaterThan(0);
    expect(probeLines.length).toBeLessThan(10);
    // Nothing logged per failed request while down: warnings are the down line and the probes.
    const warnings = logs.filter((l) => l.level === 'warn' || l.level === 'error');
    expect(warnings.length).toBe(probeLines.length + 1);
    expect(await stores.state.counts()).toMatchObject({ done: 40, pending: 0, leased: 0 });
  });
});
