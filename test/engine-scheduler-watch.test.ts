import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScheduler, type SchedulerDeps } from '../src/core/engine/scheduler.js';
import { silentLogger } from '../src/core/logger.js';
import type { Lease } from '../src/core/state-store.js';

/**
 * A watching scheduler against a fake store whose IDs come due at given times, on fake timers:
 * every wait is the scheduler's own setTimeout, so the test advances time instead of sleeping.
 */
function dueStore(initial: { id: string; at: number }[]) {
  const schedule = [...initial];
  const pending: string[] = [];
  let claimCalls = 0;
  const lease = (id: string): Lease => ({
    id,
    owner: 'w1',
    expiresAt: 0,
    attempts: 0,
    enqueuedAt: 0,
    depth: 0,
  });
  const claims: SchedulerDeps['claims'] = {
    async claim(n) {
      claimCalls++;
      const now = Date.now();
      const fromPending = pending.splice(0, n);
      const due = schedule.filter((s) => s.at <= now).slice(0, n - fromPending.length);
      for (const d of due) schedule.splice(schedule.indexOf(d), 1);
      return [...fromPending, ...due.map((d) => d.id)].map(lease);
    },
    async release() {},
    async promote() {
      return 0;
    },
    async leased() {
      return 0;
    },
    async dueIn() {
      if (schedule.length === 0) return undefined;
      return Math.min(...schedule.map((s) => s.at)) - Date.now();
    },
  };
  return {
    claims,
    add: (id: string) => pending.push(id),
    claimCalls: () => claimCalls,
  };
}

function watching(claims: SchedulerDeps['claims'], ran: string[], watch: SchedulerDeps['watch']) {
  const stop = new AbortController();
  const scheduler = createScheduler({
    concurrency: 2,
    leaseMs: 60_000,
    stopTimeoutMs: 1,
    releaseTimeoutMs: 1000,
    retries: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    promoteBacklog: undefined,
    watch,
    claims,
    outage: { downHosts: () => [], whenAllUp: async () => {}, unreachable: undefined },
    runUser: async (l, slot) => {
      ran.push(`${l.id}@${Date.now()}`);
      slot.leave();
    },
    stopSignal: stop.signal,
    log: silentLogger,
    troubleLog: () => {},
  });
  return { scheduler, stop };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('scheduler, watching', () => {
  it('sleeps until the next due time, then crawls what came due; never drains', async () => {
    const store = dueStore([
      { id: 'a', at: 30_000 },
      { id: 'b', at: 45_000 },
    ]);
    const ran: string[] = [];
    const { scheduler, stop } = watching(store.claims, ran, { recheckMs: 60_000 });
    const running = scheduler.run();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(ran).toEqual([]);
    // Asleep, not polling: the first claim, then one after each write wait at most.
    expect(store.claimCalls()).toBeLessThanOrEqual(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual(['a@30000']);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(ran).toEqual(['a@30000', 'b@45000']);
    // Nothing scheduled any more: it stays, re-checking once a minute.
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    const calls = store.claimCalls();
    expect(calls).toBeLessThanOrEqual(16);
    stop.abort();
    expect(await running).toBe(false);
    await scheduler.settle();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-checks at least every recheckMs: an ID added meanwhile by another process is seen', async () => {
    const store = dueStore([{ id: 'later', at: 24 * 3_600_000 }]);
    const ran: string[] = [];
    const { scheduler, stop } = watching(store.claims, ran, { recheckMs: 60_000 });
    const running = scheduler.run();
    await vi.advanceTimersByTimeAsync(10_000);
    store.add('new');
    await vi.advanceTimersByTimeAsync(49_999);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual(['new@60000']);
    stop.abort();
    expect(await running).toBe(false);
  });

  it('one stop wakes a sleeping watch at once and leaves no timer behind', async () => {
    const store = dueStore([{ id: 'a', at: 3_600_000 }]);
    const ran: string[] = [];
    const { scheduler, stop } = watching(store.claims, ran, { recheckMs: 60_000 });
    const running = scheduler.run();
    await vi.advanceTimersByTimeAsync(1000);
    expect(vi.getTimerCount()).toBe(1);
    stop.abort();
    // No timer is advanced: the stop alone ends the sleep.
    expect(await running).toBe(false);
    await scheduler.settle();
    expect(vi.getTimerCount()).toBe(0);
    expect(ran).toEqual([]);
  });

  it('a due time in the past that the store does not hand out is no busy loop', async () => {
    const store = dueStore([]);
    store.claims.dueIn = async () => -5000;
    const { scheduler, stop } = watching(store.claims, [], { recheckMs: 60_000 });
    const running = scheduler.run();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(store.claimCalls()).toBeLessThanOrEqual(12);
    stop.abort();
    expect(await running).toBe(false);
  });

  it('without watch it drains when nothing is pending or due, and never asks for the due time', async () => {
    const store = dueStore([{ id: 'a', at: 60_000 }]);
    const dueIn = vi.fn(store.claims.dueIn);
    store.claims.dueIn = dueIn;
    store.add('p');
    const ran: string[] = [];
    const { scheduler } = watching(store.claims, ran, undefined);
    const running = scheduler.run();
    await vi.advanceTimersByTimeAsync(5000);
    expect(await running).toBe(true);
    expect(ran).toEqual(['p@0']);
    expect(dueIn).not.toHaveBeenCalled();
  });
});
