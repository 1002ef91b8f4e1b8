import { describe, expect, it } from 'vitest';
import { createScheduler, type SchedulerDeps } from '../src/core/engine/scheduler.js';
import type { Slot } from '../src/core/engine/user-attempt.js';
import { SiteUnreachableError, StoreError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import type { Lease } from '../src/core/state-store.js';

function lease(id: string): Lease {
  return { id, owner: 'w1', expiresAt: 0, attempts: 0, enqueuedAt: 0, depth: 0 };
}

/** A pending list served in claim order; what was asked and released is recorded. */
function fakeClaims(ids: string[], backlog: string[] = []) {
  const pending = [...ids];
  const asked: number[] = [];
  const released: string[] = [];
  const claims: SchedulerDeps['claims'] = {
    async claim(n) {
      asked.push(n);
      return pending.splice(0, n).map(lease);
    },
    async release(released_) {
      released.push(...released_);
    },
    async promote(n) {
      const moved = backlog.splice(0, n);
      pending.push(...moved);
      return moved.length;
    },
    async leased() {
      return 0;
    },
  };
  return { claims, asked, released };
}

function deps(
  claims: SchedulerDeps['claims'],
  runUser: SchedulerDeps['runUser'],
  more: Partial<SchedulerDeps> = {},
) {
  const stop = new AbortController();
  const d: SchedulerDeps = {
    concurrency: 2,
    leaseMs: 60_000,
    // Users in these tests finish on their own or never (until cut): 1 ms is no timing assumption.
    stopTimeoutMs: 1,
    releaseTimeoutMs: 1000,
    retries: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    promoteBacklog: undefined,
    claims,
    outage: { downHosts: () => [], whenAllUp: async () => {}, unreachable: undefined },
    runUser,
    stopSignal: stop.signal,
    log: silentLogger,
    troubleLog: () => {},
    ...more,
  };
  return { deps: d, stop };
}

describe('scheduler', () => {
  it('runs every pending user, never more than `concurrency` in their slots, then reports drained', async () => {
    const { claims } = fakeClaims(['a', 'b', 'c', 'd', 'e']);
    const ran: string[] = [];
    let inSlot = 0;
    let most = 0;
    const { deps: d } = deps(claims, async (l, slot) => {
      inSlot++;
      most = Math.max(most, inSlot);
      await Promise.resolve();
      ran.push(l.id);
      inSlot--;
      slot.leave();
    });
    const scheduler = createScheduler(d);
    expect(await scheduler.run()).toBe(true);
    await scheduler.settle();
    expect(ran.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('claims a few ahead: the first claim asks for the slots plus half as many', async () => {
    const { claims, asked } = fakeClaims(['a']);
    const scheduler = createScheduler(deps(claims, async () => {}, { concurrency: 4 }).deps);
    await scheduler.run();
    expect(asked[0]).toBe(6);
  });

  it('promotes the backlog when pending runs dry', async () => {
    const { claims } = fakeClaims([], ['x', 'y']);
    const ran: string[] = [];
    const scheduler = createScheduler(
      deps(
        claims,
        async (l) => {
          ran.push(l.id);
        },
        { promoteBacklog: 5 },
      ).deps,
    );
    expect(await scheduler.run()).toBe(true);
    await scheduler.settle();
    expect(ran.sort()).toEqual(['x', 'y']);
  });

  it('on stop: returns false, gives back the claimed-ahead leases, cuts users that do not finish', async () => {
    const { claims, released } = fakeClaims(['a', 'b', 'c', 'd', 'e']);
    const slots: Slot[] = [];
    let startedBoth: () => void = () => {};
    const both = new Promise<void>((resolve) => {
      startedBoth = resolve;
    });
    const { deps: d, stop } = deps(claims, (_l, slot) => {
      slots.push(slot);
      if (slots.length === 2) startedBoth();
      // A user that only ends when it is cut.
      return new Promise<void>((resolve) => slot.force.addEventListener('abort', () => resolve()));
    });
    const scheduler = createScheduler(d);
    const running = scheduler.run();
    await both;
    expect(scheduler.held().length).toBeGreaterThan(2);
    stop.abort();
    expect(await running).toBe(false);
    await scheduler.releaseQueued('stopping');
    expect(released.length).toBeGreaterThan(0);
    await scheduler.settle();
    expect(slots.every((s) => s.force.aborted)).toBe(true);
    expect(scheduler.inFlight()).toBe(0);
  });

  it('a fatal store error on claim ends the run with it', async () => {
    const fatal = new StoreError('disk full');
    const { claims } = fakeClaims([]);
    claims.claim = async () => {
      throw fatal;
    };
    const scheduler = createScheduler(deps(claims, async () => {}).deps);
    await expect(scheduler.run()).rejects.toBe(fatal);
  });

  it('a site never reached ends the run with the outage monitor error', async () => {
    const unreachable = new SiteUnreachableError('never answered');
    const { claims } = fakeClaims(['a']);
    const scheduler = createScheduler(
      deps(claims, async () => {}, {
        outage: { downHosts: () => ['h'], whenAllUp: async () => {}, unreachable },
      }).deps,
    );
    await expect(scheduler.run()).rejects.toBe(unreachable);
  });
});
