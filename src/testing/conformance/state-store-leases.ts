import { expect, it } from 'vitest';
import type { StateStore } from '../../core/state-store.js';
import { ids, type StateStoreSuite } from './state-store-suite.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Leases: claim order, one owner per ID, expiry, renew, complete and release (also in parallel). */
export function leaseCases(t: StateStoreSuite): void {
  it('claims in FIFO order with complete lease details', async () => {
    const { store } = t;
    await store.add(['p1', 'p2'], { depth: 1 });
    await store.add(['p3']);
    const before = Date.now();
    const leases = await store.claim('w1', 2, 30_000);
    expect(leases.map((l) => l.id)).toEqual(['p1', 'p2']);
    for (const lease of leases) {
      expect(lease.owner).toBe('w1');
      expect(lease.attempts).toBe(0);
      expect(lease.depth).toBe(1);
      expect(lease.expiresAt).toBeGreaterThanOrEqual(before + 30_000);
      expect(lease.enqueuedAt).toBeLessThanOrEqual(Date.now());
      expect(lease.enqueuedAt).toBeGreaterThan(0);
    }
    const record = await store.get('p1');
    expect(record).toMatchObject({ set: 'leased', owner: 'w1', attempts: 1 });
    expect(record?.expiresAt).toBe(leases[0].expiresAt);
    expect(await store.claim('w1', 0, 30_000)).toEqual([]);
    expect((await store.claim('w2', 10, 30_000)).map((l) => l.id)).toEqual(['p3']);
    expect(await store.claim('w3', 10, 30_000)).toEqual([]);
  });

  it('never hands one ID to two owners while the lease runs', async () => {
    const { store } = t;
    await store.add(ids('c', 30));
    const a = await store.claim('A', 12, 60_000);
    const b = await store.claim('B', 12, 60_000);
    const c = await store.claim('C', 12, 60_000);
    const all = [...a, ...b, ...c].map((l) => l.id);
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    expect(await store.counts()).toMatchObject({ pending: 0, leased: 30 });
  });

  it('keeps enqueuedAt when a lease is released, and renews it when the ID is enqueued again', async () => {
    const { store } = t;
    await store.add(['kept']);
    const [first] = await store.claim('w', 1, 60_000);
    await sleep(15);
    await store.release('w', ['kept']);
    const [second] = await store.claim('w', 1, 60_000);
    expect(second.id).toBe('kept');
    expect(second.enqueuedAt).toBe(first.enqueuedAt);
    await sleep(15);
    expect(await store.releaseOwner('w')).toBe(1);
    const [third] = await store.claim('w', 1, 60_000);
    expect(third.enqueuedAt).toBe(first.enqueuedAt);
    await store.complete('w', 'kept', 'done');
    await store.add(['kept'], { recrawl: true });
    const [again] = await store.claim('w', 1, 60_000);
    expect(again.enqueuedAt).toBeGreaterThan(first.enqueuedAt);
  });

  it('lets another owner take an expired lease, and refuses the old owner afterwards', async () => {
    const { store } = t;
    await store.add(['slow']);
    const [first] = await store.claim('old', 1, 30);
    expect(first.attempts).toBe(0);
    await sleep(80);
    const [second] = await store.claim('new', 1, 60_000);
    expect(second?.id).toBe('slow');
    expect(second.attempts).toBe(1);
    expect(second.enqueuedAt).toBe(first.enqueuedAt);
    expect(await store.complete('old', 'slow', 'done')).toBe(false);
    expect(await store.releaseOwner('old')).toBe(0);
    expect((await store.get('slow'))?.owner).toBe('new');
    expect(await store.complete('new', 'slow', 'done')).toBe(true);
    expect(await store.counts()).toMatchObject({ leased: 0, done: 1 });
  });

  it('renews leases of their owner only', async () => {
    const { store } = t;
    await store.add(['r1', 'r2']);
    await store.claim('w', 2, 40);
    await store.renew('w', ['r1'], 60_000);
    await store.renew('intruder', ['r2'], 60_000);
    await sleep(100);
    const taken = await store.claim('other', 5, 60_000);
    expect(taken.map((l) => l.id)).toEqual(['r2']);
    expect((await store.get('r1'))?.owner).toBe('w');
    expect((await store.get('r1'))?.expiresAt).toBeGreaterThan(Date.now() + 50_000);
  });

  it('completes only for the owner, once, into the right final set', async () => {
    const { store } = t;
    await store.add(['d1', 'd2', 'd3']);
    await store.claim('w', 3, 60_000);
    expect(await store.complete('stranger', 'd1', 'done')).toBe(false);
    expect((await store.get('d1'))?.set).toBe('leased');
    expect(await store.complete('w', 'd1', 'done')).toBe(true);
    expect(await store.complete('w', 'd1', 'done')).toBe(false);
    expect(await store.complete('w', 'd2', 'notfound')).toBe(true);
    expect(await store.complete('w', 'd3', 'failed', 'timeout after 3 tries')).toBe(true);
    expect(await store.complete('w', 'never-added', 'done')).toBe(false);
    expect(await store.counts()).toEqual({
      backlog: 0,
      pending: 0,
      leased: 0,
      done: 1,
      notfound: 1,
      failed: 1,
    });
    expect(await store.get('d3')).toMatchObject({ set: 'failed', reason: 'timeout after 3 tries' });
    expect((await store.get('d1'))?.owner).toBeUndefined();
  });

  it('answers parallel completions one by one, each exactly once', async () => {
    const { store } = t;
    await store.add(ids('g', 40));
    const leases = await store.claim('w', 40, 60_000);
    const calls = leases.flatMap((lease, i) => [
      store.complete(i % 4 === 0 ? 'thief' : 'w', lease.id, i % 3 === 0 ? 'failed' : 'done', `r${i}`),
      store.complete('w', lease.id, 'notfound'),
    ]);
    const results = await Promise.all(calls);
    for (let i = 0; i < leases.length; i++) {
      const [first, second] = [results[2 * i], results[2 * i + 1]];
      if (i % 4 === 0) expect([first, second]).toEqual([false, true]);
      else expect([first, second]).toEqual([true, false]);
    }
    const counts = await store.counts();
    expect(counts.leased).toBe(0);
    expect(counts.notfound).toBe(10);
    expect(counts.done + counts.failed).toBe(30);
    expect((await store.get(leases[1].id))?.set).toBe('done');
    expect(await store.get(leases[3].id)).toMatchObject({ set: 'failed', reason: 'r3' });
  });

  it('releases leases to the front of pending', async () => {
    const { store } = t;
    await store.add(['q1', 'q2', 'q3', 'q4']);
    await store.claim('w', 2, 60_000);
    await store.release('stranger', ['q1']);
    expect((await store.get('q1'))?.set).toBe('leased');
    await store.release('w', ['q2', 'q1']);
    expect(await store.counts()).toMatchObject({ pending: 4, leased: 0 });
    expect((await store.get('q1'))?.owner).toBeUndefined();
    const next = await store.claim('w2', 4, 60_000);
    expect(next).toHaveLength(4);
    expect(next.slice(2).map((l) => l.id)).toEqual(['q3', 'q4']);
    expect(new Set(next.slice(0, 2).map((l) => l.id))).toEqual(new Set(['q1', 'q2']));
    expect(next.find((l) => l.id === 'q1')?.attempts).toBe(1);
  });

  it('releases every lease of one owner and only those', async () => {
    const { store } = t;
    await store.add(ids('o', 20));
    await store.claim('mine', 8, 60_000);
    await store.claim('theirs', 5, 60_000);
    const mine = (await store.list('leased', { limit: 100 })).filter((r) => r.owner === 'mine');
    expect(mine).toHaveLength(8);
    await store.complete('mine', mine[0].id, 'done');
    expect(await store.releaseOwner('mine')).toBe(7);
    expect(await store.releaseOwner('mine')).toBe(0);
    expect(await store.counts()).toMatchObject({ pending: 14, leased: 5, done: 1 });
    // The owner can work again after a release.
    expect(await store.claim('mine', 3, 60_000)).toHaveLength(3);
    expect(await store.releaseOwner('mine')).toBe(3);
  });

  it('hands no ID out twice to two instances claiming in parallel', async () => {
    const { store, handle } = t;
    if (!handle.openAnother) {
      expect(handle.openAnother).toBeUndefined();
      return;
    }
    const other = await handle.openAnother();
    try {
      const all = ids('par', 240);
      await store.add(all);
      const seen: string[] = [];
      const work = async (instance: StateStore, owner: string) => {
        for (;;) {
          const leases = await instance.claim(owner, 7, 60_000);
          if (leases.length === 0) return;
          for (const lease of leases) {
            seen.push(lease.id);
            expect(await instance.complete(owner, lease.id, 'done')).toBe(true);
          }
        }
      };
      await Promise.all([work(store, 'one'), work(other, 'two'), work(store, 'three'), work(other, 'four')]);
      expect(seen).toHaveLength(240);
      expect(new Set(seen).size).toBe(240);
      expect(await other.counts()).toEqual({
        backlog: 0,
        pending: 0,
        leased: 0,
        done: 240,
        notfound: 0,
        failed: 0,
      });
    } finally {
      await other.close();
    }
  });
}
