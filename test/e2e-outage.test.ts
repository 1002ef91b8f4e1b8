import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../src/core/logger.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { waitFor } from './helpers/cli-process.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';

interface Line {
  at: number;
  level: string;
  message: string;
}

function recordingLogger(lines: Line[]): Logger {
  const push = (level: string) => (message: string) => {
    lines.push({ at: Date.now(), level, message });
  };
  return { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

describe('the site goes down mid-run and comes back', () => {
  let replica: Replica;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'csdn-outage-'));

  beforeAll(async () => {
    replica = await startReplica({ users: 150, seed: 41, faults: { latencyMs: 20, jitterMs: 10 } });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('waits with capped backoff, logs per probe not per request, fails nobody and finishes by itself', {
    timeout: 90_000,
  }, async () => {
    const state = await openStateStore(path.join(dataDir, 'state.sqlite'));
    const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
    const lines: Line[] = [];
    try {
      const crawler = createCrawler({
        baseUrl: replica.url,
        dataDir,
        ids: replica.usernames,
        concurrency: 8,
        driver: 'http',
        politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
        retries: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 },
        requestTimeoutMs: 2000,
        stateStore: state,
        resultStore: results,
        logger: recordingLogger(lines),
      });
      let done = 0;
      const failed: string[] = [];
      const downs: number[] = [];
      const ups: number[] = [];
      crawler.on('userDone', () => done++);
      crawler.on('userFailed', (e) => failed.push(`${e.id}: ${e.reason}`));
      crawler.on('siteDown', () => downs.push(Date.now()));
      crawler.on('siteUp', () => ups.push(Date.now()));

      const running = crawler.run();
      await waitFor(() => done >= 20, 60_000, '20 users done');
      const downAt = Date.now();
      await replica.setDown(true);
      await waitFor(() => downs.length > 0, 30_000, 'the crawler to notice the outage');
      // Down for a while: several probe intervals (1 s, 2 s, 4 s) pass.
      await new Promise((r) => setTimeout(r, 7000));
      const during = await state.counts();
      const doneWhileDown = done;
      await new Promise((r) => setTimeout(r, 500));
      expect(done, 'nothing completes while the site is down').toBe(doneWhileDown);
      expect(during.failed).toBe(0);
      expect(during.pending).toBeGreaterThan(0);
      expect(during.done).toBeLessThan(replica.usernames.length);
      const upAt = Date.now();
      await replica.setDown(false);

      const summary = await running;
      expect(failed).toEqual([]);
      expect(summary.failed).toBe(0);
      expect(summary.done).toBe(replica.usernames.length);
      expect(downs).toHaveLength(1);
      expect(ups).toHaveLength(1);

      // The monitor: one line when it went down, one per probe (1 s, 2 s, 4 s, 8 s...), one when
      // it came back. Users in flight say once each that they went back to pending (bounded by
      // concurrency plus the claim-ahead of half of it). Nothing is said per failed request: 8
      // users retrying every request against a refusing port would make hundreds of lines.
      const show = (ls: Line[]) => ls.map((l) => l.message).join('\n');
      const monitor = lines.filter((l) => l.at >= downAt && /^site .*(down|back after)/.test(l.message));
      expect(monitor.length, show(monitor)).toBeGreaterThanOrEqual(3);
      expect(monitor.length, show(monitor)).toBeLessThanOrEqual(7);
      expect(monitor.filter((l) => /next probe in/.test(l.message)).length).toBeGreaterThanOrEqual(2);
      expect(monitor.filter((l) => /is back after .*resuming/.test(l.message))).toHaveLength(1);
      const released = lines.filter((l) => l.at >= downAt && /^released /.test(l.message));
      expect(released.length, show(released)).toBeLessThanOrEqual(12);
      const noisy = lines.filter(
        (l) =>
          l.at >= downAt &&
          l.at <= upAt &&
          l.level !== 'debug' &&
          !monitor.includes(l) &&
          !released.includes(l),
      );
      expect(noisy, show(noisy)).toEqual([]);

      const counts = await state.counts();
      expect(counts).toMatchObject({ done: replica.usernames.length, pending: 0, leased: 0, failed: 0 });
      const diffs: string[] = [];
      for (const u of replica.usernames)
        diffs.push(...(await diffAgainstTruth(results, u, replica.truth(u)!)));
      expect(diffs.slice(0, 10)).toEqual([]);
      expect((await results.counts()).snapshots).toBe(replica.usernames.length);
    } finally {
      await state.close();
      await results.close();
    }
  });
});
