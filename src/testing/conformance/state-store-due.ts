import { expect, it } from 'vitest';
import type { StateStore } from '../../core/state-store.js';
import { ids, type StateStoreSuite, seededRandom } from './state-store-suite.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A whole minute (Keyv stores keep due times per second); the store's clock is passed as `now`. */
const T = Date.UTC(2030, 0, 1);
const NOTHING = { dueNow: 0, nextHour: 0, nextDay: 0, later: 0 };

/** Adds the IDs, leases them and completes each with its due time. */
async function schedule(
  store: StateStore,
  plan: Record<string, number>,
  outcome: 'done' | 'notfound' = 'done',
): Promise<void> {
  const wanted = Object.keys(plan);
  await store.add(wanted);
  const leases = await store.claim('setup', wanted.length, 60_000);
  expect(leases.map((l) => l.id).sort()).toEqual([...wanted].sort());
  for (const lease of leases) {
    expect(await store.complete('setup', lease.id, outcome, undefined, { dueAt: plan[lease.id] })).toBe(true);
  }
}

/** Due times: scheduling on completion, claiming what is due, the summary, and every way out. */
export function dueCases(t: StateStoreSuite): void {
  it('keeps a completed ID in its final set with its due time, and leases it once due', async () => {
    const { store } = t;
    await schedule(store, { a: T + 10 * MINUTE });
    expect(await store.get('a')).toMatchObject({ set: 'done', dueAt: T + 10 * MINUTE });
    expect((await store.list('done')).map((r) => r.dueAt)).toEqual([T + 10 * MINUTE]);
    expect(await store.claim('w', 5, 60_000)).toEqual([]);
    expect(await store.claim('w', 5, 60_000, { due: true, now: T + 9 * MINUTE })).toEqual([]);
    const leases = await store.claim('w', 5, 60_000, { due: true, now: T + 10 * MINUTE });
    expect(leases).toHaveLength(1);
    expect(leases[0]).toMatchObject({
      id: 'a',
      owner: 'w',
      attempts: 0,
      refresh: true,
      enqueuedAt: T + 10 * MINUTE,
    });
    const record = await store.get('a');
    expect(record).toMatchObject({ set: 'leased', owner: 'w' });
    expect(record?.dueAt).toBeUndefined();
    expect(await store.counts()).toMatchObject({ leased: 1, done: 0 });
    expect(await store.dueSummary(T + HOUR)).toEqual(NOTHING);
    expect(await store.claim('w2', 5, 60_000, { due: true, now: T + HOUR })).toEqual([]);
    await expect(store.complete('w', 'a', 'done', undefined, { dueAt: Number.NaN })).rejects.toThrow(
      /due time/,
    );
    await expect(store.claim('w', 1, 60_000, { due: true, now: Number.NaN })).rejects.toThrow(/clock/);
  });

  it('is exact to a second: never early, at most a second late (refreshes under a minute)', async () => {
    const { store } = t;
    await schedule(store, { later: T + 4_200, sooner: T + 2_500 });
    expect(await store.claim('w', 5, 60_000, { due: true, now: T + 2_400 })).toEqual([]);
    const summary = await store.dueSummary(T + 2_400);
    expect(summary).toMatchObject({ dueNow: 0, nextHour: 2 });
    expect(summary.nextDueAt).toBeGreaterThanOrEqual(T + 2_500);
    expect(summary.nextDueAt).toBeLessThanOrEqual(T + 3_000);
    const first = await store.claim('w', 5, 60_000, { due: true, now: T + 3_000 });
    expect(first.map((l) => l.id)).toEqual(['sooner']);
    expect(await store.claim('w', 5, 60_000, { due: true, now: T + 4_100 })).toEqual([]);
    const second = await store.claim('w', 5, 60_000, { due: true, now: T + 5_000 });
    expect(second.map((l) => l.id)).toEqual(['later']);
  });

  it('claims pending IDs first, then due ones earliest first; notfound too, failed never', async () => {
    const { store } = t;
    await schedule(store, { late: T + 30 * MINUTE, early: T + 5 * MINUTE, mid: T + 20 * MINUTE });
    await store.add(['nf', 'fl']);
    expect(await store.claim('setup', 2, 60_000)).toHaveLength(2);
    expect(await store.complete('setup', 'nf', 'notfound', 'gone', { dueAt: T + 10 * MINUTE })).toBe(true);
    expect(await store.complete('setup', 'fl', 'failed', 'x', { dueAt: T + MINUTE })).toBe(true);
    expect((await store.get('fl'))?.dueAt).toBeUndefined();
    expect(await store.get('nf')).toMatchObject({ set: 'notfound', dueAt: T + 10 * MINUTE });
    await store.add(['p1', 'p2']);
    const leases = await store.claim('w', 4, 60_000, { due: true, now: T + HOUR });
    expect(leases.map((l) => l.id)).toEqual(['p1', 'p2', 'early', 'nf']);
    expect(leases.map((l) => l.refresh === true)).toEqual([false, false, true, true]);
    const more = await store.claim('w', 10, 60_000, { due: true, now: T + HOUR });
    expect(more.map((l) => l.id)).toEqual(['mid', 'late']);
    expect(await store.counts()).toMatchObject({ pending: 0, leased: 6, done: 0, notfound: 0, failed: 1 });
  });

  it('summarises what is due now, in the next hour, day and later, and the next due time', async () => {
    const { store } = t;
    expect(await store.dueSummary(T)).toEqual(NOTHING);
    await schedule(store, {
      a: T - HOUR,
      b: T,
      c: T + 30 * MINUTE,
      d: T + HOUR,
      e: T + 2 * HOUR,
      f: T + DAY,
      g: T + DAY + HOUR,
      h: T + 30 * DAY,
    });
    expect(await store.dueSummary(T)).toEqual({
      dueNow: 2,
      nextHour: 2,
      nextDay: 2,
      later: 2,
      nextDueAt: T + 30 * MINUTE,
    });
    expect(await store.dueSummary(T - 2 * HOUR)).toEqual({
      dueNow: 0,
      nextHour: 1,
      nextDay: 4,
      later: 3,
      nextDueAt: T - HOUR,
    });
    expect(await store.dueSummary(T + 365 * DAY)).toEqual({ ...NOTHING, dueNow: 8 });
  });

  it('returns a released due lease to pending, still a refresh, and schedules it once on completion', async () => {
    const { store } = t;
    await schedule(store, { r: T });
    expect(await store.claim('w', 1, 60_000, { due: true, now: T })).toHaveLength(1);
    await store.release('w', ['r']);
    const record = await store.get('r');
    expect(record).toMatchObject({ set: 'pending' });
    expect(record?.dueAt).toBeUndefined();
    expect(await store.dueSummary(T)).toEqual(NOTHING);
    const [again] = await store.claim('w2', 1, 60_000);
    expect(again).toMatchObject({ id: 'r', enqueuedAt: T, attempts: 1, refresh: true });
    expect(await store.complete('w2', 'r', 'done', undefined, { dueAt: T + DAY })).toBe(true);
    expect(await store.dueSummary(T)).toEqual({ ...NOTHING, nextDay: 1, nextDueAt: T + DAY });
  });

  it('unschedules on remove, on add with recrawl and on retryFailed(notfound)', async () => {
    const { store } = t;
    await schedule(store, { gone: T, again: T + MINUTE, keep: T + 2 * MINUTE });
    await schedule(store, { nf: T + 3 * MINUTE }, 'notfound');
    expect(await store.remove(['gone'])).toBe(1);
    expect(await store.add(['again'], { recrawl: true })).toBe(1);
    const again = await store.get('again');
    expect(again).toMatchObject({ set: 'pending' });
    expect(again?.dueAt).toBeUndefined();
    expect(await store.retryFailed('notfound')).toBe(1);
    expect((await store.get('nf'))?.dueAt).toBeUndefined();
    expect(await store.dueSummary(T + HOUR)).toEqual({ ...NOTHING, dueNow: 1 });
    const leases = await store.claim('w', 10, 60_000, { due: true, now: T + HOUR });
    expect(leases.map((l) => l.id)).toEqual(['again', 'nf', 'keep']);
    expect(leases.map((l) => l.refresh === true)).toEqual([false, false, true]);
  });

  it('keeps one due time per ID when it is completed again', async () => {
    const { store } = t;
    await schedule(store, { x: T });
    await store.add(['x'], { recrawl: true });
    expect(await store.claim('w', 1, 60_000)).toHaveLength(1);
    expect(await store.complete('w', 'x', 'done', undefined, { dueAt: T + 2 * HOUR })).toBe(true);
    expect(await store.dueSummary(T)).toEqual({ ...NOTHING, nextDay: 1, nextDueAt: T + 2 * HOUR });
    const [lease] = await store.claim('w', 5, 60_000, { due: true, now: T + 2 * HOUR });
    expect(lease.id).toBe('x');
    expect(await store.complete('w', 'x', 'done', undefined, { dueAt: T + 3 * HOUR })).toBe(true);
    expect(await store.dueSummary(T)).toEqual({ ...NOTHING, nextDay: 1, nextDueAt: T + 3 * HOUR });
    const all = await store.claim('w', 10, 60_000, { due: true, now: T + 10 * HOUR });
    expect(all.map((l) => l.id)).toEqual(['x']);
    // Completed without a due time: final until added again.
    expect(await store.complete('w', 'x', 'notfound')).toBe(true);
    expect(await store.dueSummary(T + 10 * HOUR)).toEqual(NOTHING);
    expect((await store.get('x'))?.dueAt).toBeUndefined();
  });

  it("gives a killed worker's due lease to another worker once it expires", async () => {
    const { store } = t;
    await schedule(store, { k: T });
    const [first] = await store.claim('killed', 1, 30, { due: true, now: T });
    expect(first).toMatchObject({ id: 'k', refresh: true, enqueuedAt: T, attempts: 0 });
    await sleep(80);
    const [second] = await store.claim('heir', 1, 60_000, { due: true, now: T });
    expect(second).toMatchObject({ id: 'k', refresh: true, enqueuedAt: T, attempts: 1 });
    expect(await store.complete('killed', 'k', 'done', undefined, { dueAt: T + DAY })).toBe(false);
    expect(await store.complete('heir', 'k', 'done', undefined, { dueAt: T + DAY })).toBe(true);
    expect(await store.dueSummary(T)).toEqual({ ...NOTHING, nextDay: 1, nextDueAt: T + DAY });
  });

  it('hands no due ID out twice to two instances claiming at once', async () => {
    const { store, handle } = t;
    if (!handle.openAnother) {
      expect(handle.openAnother).toBeUndefined();
      return;
    }
    const all = ids('due', 120);
    await schedule(store, Object.fromEntries(all.map((id, i) => [id, T + (i % 7) * MINUTE])));
    const other = await handle.openAnother();
    try {
      const seen: string[] = [];
      const work = async (instance: StateStore, owner: string) => {
        for (;;) {
          const leases = await instance.claim(owner, 5, 60_000, { due: true, now: T + HOUR });
          if (leases.length === 0) return;
          for (const lease of leases) {
            seen.push(lease.id);
            expect(lease.refresh).toBe(true);
            const dueAt = T + DAY;
            expect(await instance.complete(owner, lease.id, 'done', undefined, { dueAt })).toBe(true);
          }
        }
      };
      await Promise.all([work(store, 'one'), work(other, 'two'), work(store, 'three'), work(other, 'four')]);
      expect(seen).toHaveLength(120);
      expect(new Set(seen).size).toBe(120);
      expect(await other.dueSummary(T + HOUR)).toEqual({ ...NOTHING, nextDay: 120, nextDueAt: T + DAY });
    } finally {
      await other.close();
    }
  });

  it('keeps the due summary equal to the scheduled records through any sequence', async () => {
    const { store } = t;
    const rand = seededRandom(7);
    const scheduledIds = async () => {
      const out: string[] = [];
      for (const set of ['done', 'notfound'] as const) {
        for (const record of await store.list(set, { limit: 1000 }))
          if (record.dueAt !== undefined) out.push(record.id);
      }
      return out;
    };
    for (let step = 0; step < 80; step++) {
      const op = rand(9);
      const owner = `w${rand(2)}`;
      const now = T + rand(6) * 20 * MINUTE;
      if (op === 0)
        await store.add(
          Array.from({ length: 1 + rand(4) }, () => `z${rand(30)}`),
          { recrawl: rand(3) === 0 },
        );
      else if (op === 1 || op === 2) await store.claim(owner, 1 + rand(4), 60_000, { due: true, now });
      else if (op === 3 || op === 4) {
        for (const record of await store.list('leased', { limit: 3 })) {
          const outcome = (['done', 'notfound', 'failed'] as const)[rand(3)];
          const options = rand(4) === 0 ? {} : { dueAt: T + rand(8) * 15 * MINUTE };
          await store.complete(record.owner ?? owner, record.id, outcome, undefined, options);
        }
      } else if (op === 5)
        await store.release(
          owner,
          (await store.list('leased', { limit: 2 })).map((r) => r.id),
        );
      else if (op === 6) await store.remove([`z${rand(30)}`]);
      else if (op === 7) await store.retryFailed(rand(2) ? 'notfound' : 'failed');
      else await store.releaseOwner(owner);
      const summary = await store.dueSummary(now);
      const total = summary.dueNow + summary.nextHour + summary.nextDay + summary.later;
      expect(total).toBe((await scheduledIds()).length);
    }
    // Whatever is due comes out exactly once.
    const expected = (await scheduledIds()).sort();
    const leases = await store.claim('last', 1000, 60_000, { due: true, now: T + DAY });
    const refreshed = leases.filter((l) => l.refresh === true && !l.attempts).map((l) => l.id);
    expect(refreshed.sort()).toEqual(expected);
    expect(await store.dueSummary(T + DAY)).toEqual(NOTHING);
  });
}
