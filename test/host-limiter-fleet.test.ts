import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreError } from '../src/core/errors.js';
import type { FleetBudget } from '../src/core/fleet-budget.js';
import { HostLimiter } from '../src/core/host-limiter.js';
import { MemoryFleetBudget } from '../src/core/memory-fleet-budget.js';
import { openRedisFleetBudget, type RedisFleetBudget } from '../src/stores/redis-budget/index.js';

const HOST = 'blog.example';
const REDIS = 'redis://127.0.0.1:6379';

/** `n` request starts through `limiter`, each holding its slot `holdMs`, all queued at once. */
async function starts(limiter: HostLimiter, n: number, holdMs = 5): Promise<number[]> {
  const at: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      const release = await limiter.acquire(HOST);
      at.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      release();
    }),
  );
  return at;
}

const opened: RedisFleetBudget[] = [];
afterEach(async () => {
  await opened[0]?.destroy().catch(() => {});
  await Promise.all(opened.splice(0).map((budget) => budget.close()));
});

/** Two workers' budgets: one shared object in memory, two connections to one prefix in Redis. */
async function fleetOfTwo(kind: 'memory' | 'redis'): Promise<[FleetBudget, FleetBudget]> {
  if (kind === 'memory') {
    const budget = new MemoryFleetBudget();
    return [budget, budget];
  }
  const prefix = `csdn-test-limiter-${randomUUID()}`;
  for (let i = 0; i < 2; i++) opened.push(await openRedisFleetBudget({ url: REDIS, prefix }));
  return [opened[0], opened[1]];
}

describe.each(['memory', 'redis'] as const)('HostLimiter with a fleet budget (%s)', (kind) => {
  it('two workers together keep one rate: 2 x 12 starts at 40/s take at least 23 / 40 s', async () => {
    const [one, two] = await fleetOfTwo(kind);
    const a = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 25 }, { budget: one });
    const b = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 25 }, { budget: two });
    const startedAt = Date.now();
    const all = (await Promise.all([starts(a, 12), starts(b, 12)])).flat();
    // Alone, each worker would be done after 11 gaps; together they share the gaps.
    expect(Math.max(...all) - startedAt).toBeGreaterThanOrEqual(23 * 25 * 0.9);
    a.close();
    b.close();
  });

  it("one worker's Retry-After (defer) holds the other", async () => {
    const [one, two] = await fleetOfTwo(kind);
    const a = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 0 }, { budget: one });
    const b = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 0 }, { budget: two });
    const until = Date.now() + 300;
    a.defer(HOST, 300);
    // defer() publishes in the background: the other worker is held once the hold is in the budget.
    await vi.waitFor(async () => expect(await two.heldUntil(HOST)).toBeGreaterThan(0));
    const [at] = await starts(b, 1);
    expect(at).toBeGreaterThanOrEqual(until - 20);
    a.close();
    b.close();
  });

  it("a rate one worker's controller sets reaches the other, which then paces at it", async () => {
    const [one, two] = await fleetOfTwo(kind);
    const a = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 0 }, { budget: one });
    const b = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 0 }, { budget: two, rateCacheMs: 50 });
    expect(b.rate(HOST)).toBe(Number.POSITIVE_INFINITY);
    a.setRate(HOST, 5);
    expect(a.rate(HOST)).toBe(5);
    await vi.waitFor(() => expect(b.rate(HOST)).toBe(5));
    const startedAt = Date.now();
    const at = await starts(b, 3);
    expect(Math.max(...at) - startedAt).toBeGreaterThanOrEqual(2 * 200 * 0.9);
    a.close();
    b.close();
  });
});

describe('HostLimiter with a fleet budget that fails', () => {
  it('paces the worker alone at its own gap and reports the trouble', async () => {
    const budget = await openRedisFleetBudget({ url: REDIS, prefix: `csdn-test-limiter-${randomUUID()}` });
    await budget.close(); // every call now fails, as with Redis gone
    const errors: unknown[] = [];
    const limiter = new HostLimiter(
      { maxInFlightPerHost: 4, minDelayMs: 50 },
      { budget, onError: (error) => errors.push(error) },
    );
    const startedAt = Date.now();
    const at = await starts(limiter, 4);
    expect(at).toHaveLength(4);
    expect(Math.max(...at) - startedAt).toBeGreaterThanOrEqual(3 * 50 * 0.9);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBeInstanceOf(StoreError);
    limiter.defer(HOST, 10); // a hold that cannot be published is reported, never thrown
    limiter.setRate(HOST, 10);
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(3));
    limiter.close();
  });
});
