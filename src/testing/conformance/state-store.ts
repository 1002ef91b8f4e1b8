import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdSet, StateStore } from '../../core/state-store.js';
import { ID_SETS } from '../../core/state-store.js';

export interface StateStoreHandle {
  store: StateStore;
  /** A second instance on the same backing store (same file, same Redis prefix), for concurrency tests. */
  openAnother?: () => Promise<StateStore>;
  cleanup(): Promise<void>;
}

export interface StateStoreCapabilities {
  /** The store implements setMeta/getMeta. Default: detected. */
  meta?: boolean;
  /** The store implements heartbeat/workers. Default: detected. */
  heartbeats?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
}

async function total(store: StateStore): Promise<number> {
  const counts = await store.counts();
  return ID_SETS.reduce((sum, set) => sum + counts[set], 0);
}

async function listAll(store: StateStore, set: IdSet, pageSize = 7): Promise<string[]> {
  const out: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.list(set, { limit: pageSize, after });
    out.push(...page.map((record) => record.id));
    if (page.length < pageSize) return out;
    after = page[page.length - 1].id;
  }
}

/**
 * The shared StateStore suite (Keyv's test-suite idea): every implementation runs the same
 * behaviour checks. Call it inside a test file; it declares its own describe/it blocks.
 */
export function stateStoreConformance(
  name: string,
  factory: () => Promise<StateStoreHandle>,
  capabilities: StateStoreCapabilities = {},
): void {
  describe(`StateStore conformance: ${name}`, () => {
    let handle: StateStoreHandle;
    let store: StateStore;

    beforeEach(async () => {
      handle = await factory();
      store = handle.store;
    });

    afterEach(async () => {
      await handle.cleanup();
    });

    it('adds new IDs to pending, ignores known ones and duplicates within a call', async () => {
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
      await store.add(['b1', 'b2', 'b3', 'b4'], { to: 'backlog' });
      expect(await store.claim('w', 5, 60_000)).toEqual([]);
      expect(await store.promote(2)).toBe(2);
      expect((await store.list('pending')).map((r) => r.id)).toEqual(['b1', 'b2']);
      expect((await store.list('backlog')).map((r) => r.id)).toEqual(['b3', 'b4']);
      expect(await store.promote(10)).toBe(2);
      expect(await store.promote(10)).toBe(0);
      expect(await store.counts()).toMatchObject({ backlog: 0, pending: 4 });
    });

    it('claims in FIFO order with complete lease details', async () => {
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

    it("moves not-found IDs back to pending with retryFailed('notfound'), failed ones stay", async () => {
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

    it('keeps the counts equal to the number of known IDs through any sequence', async () => {
      // A fixed pseudo-random walk over every operation.
      let seed = 42;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const known = new Set<string>();
      for (let step = 0; step < 60; step++) {
        const op = rand(8);
        const owner = `w${rand(3)}`;
        if (op === 0) {
          const batch = Array.from({ length: 1 + rand(5) }, () => `k${rand(40)}`);
          await store.add(batch, { to: rand(2) ? 'backlog' : 'pending', recrawl: rand(4) === 0 });
          for (const id of batch) known.add(id);
        } else if (op === 1) await store.promote(rand(4));
        else if (op === 2) await store.claim(owner, 1 + rand(4), rand(3) === 0 ? 1 : 60_000);
        else if (op === 3 || op === 4) {
          const leased = await store.list('leased', { limit: 3 });
          for (const record of leased) {
            await store.complete(
              record.owner ?? owner,
              record.id,
              (['done', 'notfound', 'failed'] as const)[rand(3)],
            );
          }
        } else if (op === 5)
          await store.release(
            owner,
            (await store.list('leased', { limit: 2 })).map((r) => r.id),
          );
        else if (op === 6) await store.releaseOwner(owner);
        else await store.retryFailed();
        expect(await total(store)).toBe(known.size);
      }
      const everyone = (await Promise.all(ID_SETS.map((set) => listAll(store, set)))).flat();
      expect(everyone.sort()).toEqual([...known].sort());
      for (const set of ID_SETS) {
        for (const record of await store.list(set, { limit: 100 })) expect(record.set).toBe(set);
      }
    });

    it('pages through a set with limit and after', async () => {
      const all = ids('l', 25);
      await store.add(all);
      const first = await store.list('pending', { limit: 10 });
      expect(first.map((r) => r.id)).toEqual(all.slice(0, 10));
      const second = await store.list('pending', { limit: 10, after: first[9].id });
      expect(second.map((r) => r.id)).toEqual(all.slice(10, 20));
      expect(await listAll(store, 'pending')).toEqual(all);
      expect(await store.list('done')).toEqual([]);
      expect(await store.list('pending', { limit: 0 })).toEqual([]);
      // Holes left by claims are skipped.
      await store.claim('w', 3, 60_000);
      expect((await store.list('pending', { limit: 5 })).map((r) => r.id)).toEqual(all.slice(3, 8));
      const leased = await store.list('leased');
      expect(leased.map((r) => r.id)).toEqual(all.slice(0, 3));
      expect(leased.every((r) => r.owner === 'w' && typeof r.expiresAt === 'number')).toBe(true);
      // A cursor ID that left the set ends the paging rather than starting over.
      expect(await store.list('pending', { after: all[0] })).toEqual([]);
    });

    it('keeps meta values', async () => {
      const hasMeta = capabilities.meta ?? typeof store.setMeta === 'function';
      if (!hasMeta) {
        expect(store.setMeta).toBeUndefined();
        return;
      }
      expect(await store.getMeta!('lastRun')).toBeUndefined();
      await store.setMeta!('lastRun', { usersPerMinute: 12.5, at: 1 });
      expect(await store.getMeta!('lastRun')).toEqual({ usersPerMinute: 12.5, at: 1 });
      await store.setMeta!('lastRun', { usersPerMinute: 3 });
      expect(await store.getMeta!('lastRun')).toEqual({ usersPerMinute: 3 });
    });

    it('reports worker heartbeats', async () => {
      const hasHeartbeats = capabilities.heartbeats ?? typeof store.heartbeat === 'function';
      if (!hasHeartbeats) {
        expect(store.workers).toBeUndefined();
        return;
      }
      const now = Date.now();
      await store.heartbeat!({
        workerId: 'w-1',
        host: 'h1',
        pid: 11,
        startedAt: now - 1000,
        lastSeen: now,
        inFlight: 2,
        rate: 30,
      });
      await store.heartbeat!({
        workerId: 'w-2',
        host: 'h2',
        pid: 12,
        startedAt: now,
        lastSeen: now,
        inFlight: 0,
        rate: 0,
      });
      const workers = (await store.workers!()).sort((a, b) => a.workerId.localeCompare(b.workerId));
      expect(workers.map((w) => w.workerId)).toEqual(['w-1', 'w-2']);
      expect(workers[0]).toMatchObject({ host: 'h1', pid: 11, inFlight: 2, rate: 30 });
      if (store.signOff) {
        await store.signOff('w-1');
        expect((await store.workers!()).map((w) => w.workerId)).toEqual(['w-2']);
      }
    });

    it('hands no ID out twice to two instances claiming in parallel', async () => {
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
        await Promise.all([
          work(store, 'one'),
          work(other, 'two'),
          work(store, 'three'),
          work(other, 'four'),
        ]);
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
  });
}
