import { expect, it } from 'vitest';
import type { IdSet, StateStore } from '../../core/state-store.js';
import { ID_SETS } from '../../core/state-store.js';
import { ids, type StateStoreSuite, seededRandom } from './state-store-suite.js';

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

/** What a store reports: counts that always add up, paged lists, meta values, worker heartbeats. */
export function bookkeepingCases(t: StateStoreSuite): void {
  it('keeps the counts equal to the number of known IDs through any sequence', async () => {
    const { store } = t;
    // A fixed pseudo-random walk over every operation.
    const rand = seededRandom(42);
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
    const { store } = t;
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
    const { store, capabilities } = t;
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
    const { store, capabilities } = t;
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
}
