import { afterEach, describe, expect, it } from 'vitest';
import { HostLimiter } from '../src/core/host-limiter.js';
import { HostRates } from '../src/core/host-rates.js';
import { silentLogger } from '../src/core/logger.js';
import { MemoryFleetBudget } from '../src/core/memory-fleet-budget.js';
import { RateController } from '../src/core/rate-controller.js';

const HOST = 'blog.example';
const SETTINGS = { startRate: 2, minRate: 0.15, maxRate: 40 };

/** Several workers of one fleet in one process: a limiter and a HostRates each, one budget. */
function fleet(workers: number) {
  const budget = new MemoryFleetBudget();
  const limiters: HostLimiter[] = [];
  const rates: HostRates[] = [];
  for (let i = 0; i < workers; i++) {
    const limiter = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 500 }, { budget, rateCacheMs: 0 });
    limiters.push(limiter);
    rates.push(new HostRates(limiter, { settings: SETTINGS, logger: silentLogger }));
  }
  return { budget, limiters, rates };
}

/** Lets the limiters' background reads of the fleet's rate settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

const open: HostLimiter[] = [];
afterEach(() => {
  for (const limiter of open.splice(0)) limiter.close();
});

describe('adaptive rates in a fleet', () => {
  it('a worker that joins adopts the fleet rate instead of resetting it to its start rate', async () => {
    const { budget, limiters, rates } = fleet(2);
    open.push(...limiters);
    rates[0].prepare(HOST);
    await settle();
    await budget.setRate(HOST, 12);
    rates[1].prepare(HOST);
    await settle();
    expect(await budget.rate(HOST)).toBe(12);
    limiters[1].rate(HOST);
    await settle();
    expect(limiters[1].rate(HOST)).toBe(12);
  });

  it("one worker's cut halves the fleet's rate, and the other worker goes on from the cut", async () => {
    const { budget, limiters, rates } = fleet(2);
    open.push(...limiters);
    await budget.setRate(HOST, 20);
    for (const r of rates) r.prepare(HOST);
    await settle();
    const startedAt = rates[0].started(HOST);
    rates[0].answered(HOST, { kind: 'wall', reason: 'HTTP 403' }, startedAt);
    await settle();
    // halved from the fleet's 20, not from this worker's own share of the starts (one request)
    expect(await budget.rate(HOST)).toBe(10);
    limiters[1].rate(HOST); // a read older than rateCacheMs is refreshed in the background
    await settle();
    expect(limiters[1].rate(HOST)).toBe(10);
    // the other worker's next good answer starts from 10, it does not publish its old 20 again
    const other = rates[1].started(HOST);
    rates[1].answered(HOST, { kind: 'good', latencyMs: 20 }, other);
    await settle();
    expect(rates[1].snapshot()[HOST]).toBe(10);
    expect(await budget.rate(HOST)).toBe(10);
  });
});

describe('rate controller with a shared rate', () => {
  it('raises when its requests waited for the budget, though its own starts are far below the rate', () => {
    let t = 1_000_000;
    const controller = new RateController({ ...SETTINGS, startRate: 8, shared: true }, () => t);
    // this worker gets one start in four of the fleet's 8/s: 2/s, always with others waiting
    for (let i = 0; i < 20; i++) {
      t += 500;
      controller.started(true);
      controller.answered({ kind: 'good', latencyMs: 20 }, t);
    }
    expect(controller.rate).toBeGreaterThan(8);
  });

  it('does not raise a shared rate this worker never waited for', () => {
    let t = 1_000_000;
    const controller = new RateController({ ...SETTINGS, startRate: 8, shared: true }, () => t);
    for (let i = 0; i < 20; i++) {
      t += 500;
      controller.started(false);
      controller.answered({ kind: 'good', latencyMs: 20 }, t);
    }
    expect(controller.rate).toBe(8);
  });
});
