import { expect, it } from 'vitest';
import type { StateStoreSuite } from './state-store-suite.js';

/** How IDs enter, move between and leave the sets: add, recrawl, promote, retry, remove. */
export function queueCases(t: StateStoreSuite): void {
  it('adds new IDs to pending, ignores known ones and duplicates within a call', async () => {
    const { store } = t;
    expect(await store.add(['a', 'b', 'c'])).toBe(3);
    expect(await store.add(['b', 'c', 'd', 'd'])).toBe(1);
    expect(await store.counts()).toEqual({
      backlog: 0,
      pending: 4,
      leased: 0,
      done: 0,
      notfound: 0,
      failed: 0,
    });
    expect(await store.add(['e'], { to: 'backlog', depth: 2 })).toBe(1);
    const e = await store.get('e');
    expect(e).toMatchObject({ id: 'e', set: 'backlog', depth: 2, attempts: 0 });
    expect(await store.get('nobody')).toBeUndefined();
    expect(await store.add([])).toBe(0);
  });

  it('re-queues final IDs only when recrawl is asked', async () => {
    const { store } = t;
    await store.add(['x', 'y']);
    const leases = await store.claim('w', 2, 60_000);
    expect(leases).toHaveLength(2);
    expect(await store.complete('w', 'x', 'done')).toBe(true);
    expect(await store.complete('w', 'y', 'failed', 'boom')).toBe(true);
    expect(await store.add(['x', 'y'])).toBe(0);
    expect((await store.get('x'))?.set).toBe('done');
    expect(await store.add(['x'], { recrawl: true })).toBe(1);
    expect((await store.get('x'))?.set).toBe('pending');
    // Already pending: recrawl leaves it alone.
    expect(await store.add(['x'], { recrawl: true })).toBe(0);
    expect(await store.add(['y'], { recrawl: true, to: 'backlog' })).toBe(1);
    expect((await store.get('y'))?.set).toBe('backlog');
    expect(await store.counts()).toMatchObject({ backlog: 1, pending: 1, done: 0, failed: 0 });
    expect(await store.list('done')).toEqual([]);
  });

  it('promotes the oldest backlog IDs first', async () => {
    const { store } = t;
    await store.add(['b1', 'b2', 'b3', 'b4'], { to: 'backlog' });
    expect(await store.claim('w', 5, 60_000)).toEqual([]);
    expect(await store.promote(2)).toBe(2);
    expect((await store.list('pending')).map((r) => r.id)).toEqual(['b1', 'b2']);
    expect((await store.list('backlog')).map((r) => r.id)).toEqual(['b3', 'b4']);
    expect(await store.promote(10)).toBe(2);
    expect(await store.promote(10)).toBe(0);
    expect(await store.counts()).toMatchObject({ backlog: 0, pending: 4 });
  });

  it("moves not-found IDs back to pending with retryFailed('notfound'), failed ones stay", async () => {
    const { store } = t;
    await store.add(['n1', 'n2', 'f1', 'ok']);
    await store.claim('w', 4, 60_000);
    await store.complete('w', 'n1', 'notfound', 'gone');
    await store.complete('w', 'n2', 'notfound', 'gone');
    await store.complete('w', 'f1', 'failed', 'x');
    await store.complete('w', 'ok', 'done');
    expect(await store.retryFailed('notfound')).toBe(2);
    expect(await store.retryFailed('notfound')).toBe(0);
    expect(await store.counts()).toMatchObject({ pending: 2, notfound: 0, failed: 1, done: 1 });
    const again = await store.claim('w', 5, 60_000);
    expect(again.map((l) => l.id).sort()).toEqual(['n1', 'n2']);
    expect(again.every((l) => l.attempts === 0)).toBe(true);
    expect((await store.get('n1'))?.reason).toBeUndefined();
    expect(await store.retryFailed()).toBe(1);
  });

  it('moves failed IDs back to pending', async () => {
    const { store } = t;
    await store.add(['f1', 'f2', 'ok']);
    await store.claim('w', 3, 60_000);
    await store.complete('w', 'f1', 'failed', 'x');
    await store.complete('w', 'f2', 'failed', 'y');
    await store.complete('w', 'ok', 'done');
    expect(await store.retryFailed()).toBe(2);
    expect(await store.retryFailed()).toBe(0);
    expect(await store.counts()).toMatchObject({ pending: 2, failed: 0, done: 1 });
    const again = await store.claim('w', 5, 60_000);
    expect(again.map((l) => l.id).sort()).toEqual(['f1', 'f2']);
    // A retry starts a fresh budget of attempts and forgets the old reason.
    expect(again.every((l) => l.attempts === 0)).toBe(true);
    expect((await store.get('f1'))?.reason).toBeUndefined();
  });

  it('removes IDs from every set, leases included, and forgets them', async () => {
    const { store } = t;
    await store.add(['b1'], { to: 'backlog' });
    await store.add(['p1', 'l1', 'd1', 'keep']);
    const leased = await store.claim('w', 3, 60_000);
    expect(leased.map((l) => l.id)).toEqual(['p1', 'l1', 'd1']);
    await store.complete('w', 'd1', 'done');
    await store.release('w', ['p1']);
    expect(await store.remove(['b1', 'p1', 'l1', 'd1', 'd1', 'never-added'])).toBe(4);
    expect(await store.counts()).toMatchObject({
      backlog: 0,
      pending: 1,
      leased: 0,
      done: 0,
      notfound: 0,
      failed: 0,
    });
    expect(await store.get('l1')).toBeUndefined();
    // The old lease holder's completion is ignored; the ID can be added again from scratch.
    expect(await store.complete('w', 'l1', 'done')).toBe(false);
    expect(await store.add(['d1'])).toBe(1);
    expect((await store.claim('w', 5, 60_000)).map((l) => l.id)).toEqual(['keep', 'd1']);
    expect(await store.remove([])).toBe(0);
  });
}
