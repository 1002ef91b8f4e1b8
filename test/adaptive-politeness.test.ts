import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../src/core/engine/index.js';
import type { RateChangeEvent } from '../src/core/host-rates.js';
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
import { diffAgainstTruth } from './helpers/compare-truth.js';

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

/** An adaptive engine on the replica; returns the run's summary, its rate changes and log lines. */
async function crawl(
  r: Replica,
  s: TestStores,
  rateControl: { startRate: number; minRate: number; maxRate: number },
) {
  const http = createHttpClient({ defaultTimeoutMs: 5000 });
  closers.push(() => http.close());
  const logs: LogLine[] = [];
  const engine = createEngine(
    engineOptions({
      site: createCsdnAdapter({ baseUrl: r.url }),
      state: s.state,
      results: s.results,
      http,
      ids: r.usernames,
      concurrency: 8,
      politeness: { maxInFlightPerHost: 8 },
      rateControl,
      retries: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 500 },
      requestRetries: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200, maxThrottleWaitMs: 5000 },
      requestTimeoutMs: 3000,
      userTimeoutMs: 60_000,
      leaseMs: 60_000,
      workerId: 'adaptive-test',
      browserMode: 'never',
      snapshotsDir: path.join(s.dir, 'snapshots'),
      progressIntervalMs: 100,
      logger: memoryLogger(logs),
    }),
  );
  const changes: RateChangeEvent[] = [];
  const progressRates: Record<string, number>[] = [];
  engine.on('rateChange', (change) => changes.push(change));
  engine.on('progress', ({ rates }) => progressRates.push(rates));
  const summary = await engine.run();
  return { summary, changes, progressRates, rateLines: logs.filter((l) => l.message.startsWith('rate ')) };
}

async function expectExact(r: Replica, s: TestStores) {
  const diffs: string[] = [];
  for (const username of r.usernames)
    diffs.push(...(await diffAgainstTruth(s.results, username, r.truth(username)!)));
  expect(diffs).toEqual([]);
}

describe('adaptive politeness on the replica', () => {
  it('never sends inside a Retry-After window, retries and other slots included, and stays exact', async () => {
    replica = await startReplica({
      users: 20,
      seed: 41,
      faults: { latencyMs: 10, jitterMs: 5, throttle: 0.05 },
    });
    stores = await openTestStores();
    // the floor keeps the run short: recurring 429s (here not tied to our pace) cut the rate
    const { summary, changes, rateLines } = await crawl(replica, stores, {
      startRate: 20,
      minRate: 5,
      maxRate: 40,
    });
    const stats = replica.stats();
    expect(stats.faults.throttle ?? 0).toBeGreaterThan(0);
    expect(stats.retryAfterViolations).toBe(0);
    expect(summary).toMatchObject({ done: 20, failed: 0 });
    await expectExact(replica, stores);
    // a change of regime is one line, not one per request
    expect(rateLines.length).toBe(changes.filter((c) => c.regimeChanged).length);
    expect(rateLines.length).toBeLessThan(summary.requests / 4);
  });

  it('the replica counts a client that ignores Retry-After (the counter can fail)', async () => {
    replica = await startReplica({ users: 5, seed: 42, faults: { latencyMs: 5, throttle: 0.3 } });
    const url = `${replica.url}/${replica.usernames[0]}`;
    // a crawler with a fixed pace and no ear for 429: 3 s of requests, 20 ms apart
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const response = await fetch(url);
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(replica.stats().faults.throttle ?? 0).toBeGreaterThan(0);
    expect(replica.stats().retryAfterViolations).toBeGreaterThan(0);
    // counted only: no violation was refused
    expect(replica.stats().faults.retryAfterRefused).toBeUndefined();
  });

  it('a replica that enforces Retry-After refuses every violation with another 429 and the time left', async () => {
    replica = await startReplica({
      users: 5,
      seed: 42,
      faults: { latencyMs: 5, throttle: 0.3, enforceRetryAfter: true },
    });
    const url = `${replica.url}/${replica.usernames[0]}`;
    const refusals: string[] = [];
    let lastThrottleAt = 0;
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const sentAt = Date.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 429) {
        // a refusal comes within the second after a 429; a drawn throttle may come at any time
        if (sentAt - lastThrottleAt < 1000) refusals.push(response.headers.get('retry-after') ?? '');
        else lastThrottleAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stats = replica.stats();
    expect(stats.retryAfterViolations).toBeGreaterThan(0);
    expect(stats.faults.retryAfterRefused).toBe(stats.retryAfterViolations);
    expect(refusals.length).toBeGreaterThanOrEqual(stats.retryAfterViolations);
    expect(new Set(refusals)).toEqual(new Set(['1']));
  });

  it('hits a bot wall at most once, settles under it and shows the rate in progress and the summary', async () => {
    const wall = { burst: 15, windowMs: 1000, cooldownMs: 2000, per: 'client' as const };
    replica = await startReplica({ users: 80, seed: 43, faults: { latencyMs: 5, jitterMs: 2, wall } });
    stores = await openTestStores();
    const { summary, changes, progressRates } = await crawl(replica, stores, {
      startRate: 8,
      minRate: 1,
      maxRate: 60,
    });
    const host = new URL(replica.url).host;
    const stats = replica.stats();
    // the ceiling is far above the wall, so the rate climbs into it once, and once only
    expect(stats.wallTrips).toBe(1);
    expect(stats.retryAfterViolations).toBe(0);
    expect(summary).toMatchObject({ done: 80, failed: 0 });
    await expectExact(replica, stores);
    const cuts = changes.filter((c) => c.to < c.from);
    expect(cuts.map((c) => c.reason)).toEqual(['HTTP 403 wall']);
    // after it, never raised to the wall's rate again
    const after = changes.slice(changes.indexOf(cuts[0]));
    expect(Math.max(...after.map((c) => c.to))).toBeLessThan(wall.burst);
    expect(summary.rates?.[host]).toBeGreaterThan(0);
    expect(progressRates.some((rates) => rates[host] > 0)).toBe(true);
  });
});
