import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError } from '../../core/errors.js';
import type { FleetBudget } from '../../core/fleet-budget.js';

export interface FleetBudgetHandle {
  /** A worker's view of the fleet: another instance sharing the same budget (or the same one, in memory). */
  join(): Promise<FleetBudget>;
  /** Closes what `join` opened and removes the fleet's data. */
  cleanup(): Promise<void>;
}

const HOST = 'blog.example';

/**
 * The shared FleetBudget suite: every implementation (in memory, Redis) runs the same checks.
 * Timing checks are one-sided (a start never earlier than the budget allows), so a slow machine
 * cannot fail them: it only makes everything later.
 */
export function fleetBudgetConformance(name: string, factory: () => Promise<FleetBudgetHandle>): void {
  describe(`FleetBudget conformance: ${name}`, () => {
    let handle: FleetBudgetHandle;
    let a: FleetBudget;
    let b: FleetBudget;

    beforeEach(async () => {
      handle = await factory();
      a = await handle.join();
      b = await handle.join();
    });

    afterEach(async () => {
      await handle.cleanup();
    });

    it('gives every slot to one start of the fleet: N starts at rate R take at least (N - 1) / R s', async () => {
      const rate = 40;
      const perTaker = 8;
      const startedAt = Date.now();
      const ends: number[] = [];
      // Four takers over two workers, all at once: shared slots would end far sooner.
      await Promise.all(
        [a, a, b, b].map(async (budget) => {
          for (let i = 0; i < perTaker; i++) {
            await budget.take(HOST, rate);
            ends.push(Date.now());
          }
        }),
      );
      const starts = 4 * perTaker;
      // 10 % under the bound: two workers may read the fleet's clock a few ms apart.
      expect(Math.max(...ends) - startedAt).toBeGreaterThanOrEqual(((starts - 1) * 1000 * 0.9) / rate);
    });

    it('keeps hosts apart: a hold on one host does not hold another', async () => {
      await a.hold('one.example', Date.now() + 60_000);
      // Held together, this would wait a minute and the test time out.
      await b.take('two.example', 2);
      expect(await b.heldUntil('one.example')).toBeGreaterThan(Date.now());
      expect(await b.heldUntil('two.example')).toBe(0);
    });

    it('holds every worker until the later hold ends, and reports it', async () => {
      expect(await b.heldUntil(HOST)).toBe(0);
      const until = Date.now() + 300;
      await a.hold(HOST, until);
      await b.hold(HOST, until - 200); // a shorter hold never cuts the longer one
      const seen = await b.heldUntil(HOST);
      expect(Math.abs(seen - until)).toBeLessThanOrEqual(1);
      await b.take(HOST, 1000);
      expect(Date.now()).toBeGreaterThanOrEqual(until - 20);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, seen - Date.now() + 5)));
      expect(await a.heldUntil(HOST)).toBe(0);
    });

    it('gives up a slot taken before a hold that came while it waited', async () => {
      const rate = 2; // the slot taken is up to 500 ms ahead
      const taking = b.take(HOST, rate);
      const until = Date.now() + 700;
      await a.hold(HOST, until);
      await taking;
      expect(Date.now()).toBeGreaterThanOrEqual(until - 20);
    });

    it('shares the adaptive rate: one worker sets it, every worker reads it', async () => {
      expect(await b.rate(HOST)).toBeUndefined();
      await a.setRate(HOST, 7.5);
      expect(await b.rate(HOST)).toBe(7.5);
      await b.setRate(HOST, 3);
      expect(await a.rate(HOST)).toBe(3);
      // a worker that joins proposes its start rate; the fleet's stays
      await b.setRate(HOST, 2, { ifUnset: true });
      expect(await a.rate(HOST)).toBe(3);
      await b.setRate('new.example', 2, { ifUnset: true });
      expect(await a.rate('new.example')).toBe(2);
      expect(await a.rate('other.example')).toBeUndefined();
      await expect(a.setRate(HOST, 0)).rejects.toBeInstanceOf(RangeError);
      await expect(a.take(HOST, -1)).rejects.toBeInstanceOf(RangeError);
    });

    it('an aborted take rejects, in a hold as while waiting for its slot', async () => {
      await a.hold(HOST, Date.now() + 60_000);
      const controller = new AbortController();
      const waiting = b.take(HOST, 5, controller.signal);
      setTimeout(() => controller.abort(new AbortedError('stopping')), 20);
      await expect(waiting).rejects.toBeInstanceOf(AbortedError);
      const gone = new AbortController();
      gone.abort();
      await expect(b.take('free.example', 5, gone.signal)).rejects.toBeInstanceOf(AbortedError);
    });

    it('without a gap (rate Infinity) only holds keep a start back', async () => {
      for (let i = 0; i < 20; i++) await a.take('fast.example', Number.POSITIVE_INFINITY);
      const until = Date.now() + 150;
      await b.hold('fast.example', until);
      await a.take('fast.example', Number.POSITIVE_INFINITY);
      expect(Date.now()).toBeGreaterThanOrEqual(until - 20);
    });
  });
}
