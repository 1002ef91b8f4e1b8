import { describe, expect, it } from 'vitest';
import { startReplica } from '../src/testing/replica/index.js';
import { RequestStats } from '../src/testing/replica/request-stats.js';
import type { Route } from '../src/testing/replica/routes.js';

const home = { endpoint: 'home', username: 'u' } as Route;

describe('replica peakPerSecond', () => {
  it('is the most requests within any 1-second sliding window, not per calendar second', () => {
    const stats = new RequestStats();
    // 5 at the end of one second and 5 at the start of the next: 10 within 20 ms.
    for (const at of [990, 992, 994, 996, 998, 1000, 1002, 1004, 1006, 1008]) stats.request(home, at);
    expect(stats.snapshot().peakPerSecond).toBe(10);
    // Spread out by 200 ms: 5 per window (t - 1000, t], the old burst already out of every window.
    for (let at = 3000; at < 6000; at += 200) stats.request(home, at);
    expect(stats.snapshot().peakPerSecond).toBe(10);
    const spread = new RequestStats();
    for (let at = 0; at <= 5000; at += 200) spread.request(home, at);
    expect(spread.snapshot().peakPerSecond).toBe(5);
    expect(spread.snapshot().total).toBe(26);
  });

  it('forgets what is out of the window however long the replica runs', () => {
    const stats = new RequestStats();
    for (let i = 0; i < 100_000; i++) stats.request(home, i * 10);
    expect(stats.snapshot().peakPerSecond).toBe(100);
    expect((stats as unknown as { recent: number[] }).recent.length).toBeLessThan(5000);
  });

  it('counts the requests a live replica serves', async () => {
    const replica = await startReplica({ users: 3, seed: 5 });
    try {
      await Promise.all(replica.usernames.map((u) => fetch(`${replica.url}/${u}`).then((r) => r.text())));
      const stats = replica.stats();
      expect(stats.total).toBe(3);
      expect(stats.peakPerSecond).toBeGreaterThanOrEqual(1);
      expect(stats.peakPerSecond).toBeLessThanOrEqual(3);
    } finally {
      await replica.close();
    }
  });
});
