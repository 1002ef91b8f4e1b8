/**
 * The state-store runtime (src/core/state-store-runtime) against a tiny recording backend: the
 * closed guard, argument checks, batching, group commit and error wrapping, without a real store.
 */
import { describe, expect, it } from 'vitest';
import { type CrawlError, InvalidInputError, StoreError, TimeoutError } from '../src/core/errors.js';
import type { SetCounts } from '../src/core/state-store.js';
import {
  type Completion,
  type StateBackend,
  StateStoreRuntime,
} from '../src/core/state-store-runtime/index.js';

const ZERO: SetCounts = { backlog: 0, pending: 0, leased: 0, done: 0, notfound: 0, failed: 0 };

type Calls = [string, ...unknown[]][];

/** A backend that records its calls and answers with `n` moved for every `n` asked. */
function recorder(overrides: Partial<StateBackend<string>> = {}, maxBatch = 3) {
  const calls: Calls = [];
  const note = <T>(call: [string, ...unknown[]], answer: T): T => {
    calls.push(call);
    return answer;
  };
  const backend: StateBackend<string> = {
    label: 'test store',
    raw: 'the client',
    capabilities: { workers: true, meta: true },
    maxBatch,
    add: async (ids, to, depth, recrawl) => note(['add', [...ids], to, depth, recrawl], ids.length),
    promote: async (n) => note(['promote', n], n),
    claim: async (owner, n, leaseMs) => note(['claim', owner, n, leaseMs], []),
    renew: async (owner, ids, leaseMs) => void calls.push(['renew', owner, [...ids], leaseMs]),
    complete: async (take) => {
      await Promise.resolve();
      const batch = take();
      calls.push(['complete', batch.map((c) => c.id)]);
      return batch.map((c) => c.outcome === 'done');
    },
    release: async (owner, ids) => void calls.push(['release', owner, [...ids]]),
    releaseOwner: async (owner) => note(['releaseOwner', owner], 0),
    retryFailed: async (from, n) => note(['retryFailed', from, n], 0),
    remove: async (ids) => note(['remove', [...ids]], ids.length),
    counts: async () => ({ ...ZERO }),
    dueSummary: async () => ({ dueNow: 0, nextHour: 0, nextDay: 0, later: 0 }),
    list: async (set, limit, after) => note(['list', set, limit, after], []),
    get: async () => undefined,
    setMeta: async () => undefined,
    getMeta: async () => undefined,
    heartbeat: async () => undefined,
    workers: async () => [],
    signOff: async () => undefined,
    close: async () => void calls.push(['close']),
    ...overrides,
  };
  return { calls, store: new StateStoreRuntime(backend) };
}

describe('StateStoreRuntime: closed guard', () => {
  it('refuses every call after close, names the store, and closes the backend once', async () => {
    const { calls, store } = recorder();
    expect(store.raw).toBe('the client');
    await store.close();
    await store.close();
    expect(calls).toEqual([['close']]);
    const attempts: Promise<unknown>[] = [
      store.add(['a']),
      store.promote(1),
      store.claim('w', 1, 1000),
      store.renew('w', ['a'], 1000),
      store.complete('w', 'a', 'done'),
      store.release('w', ['a']),
      store.releaseOwner('w'),
      store.retryFailed(),
      store.remove(['a']),
      store.counts(),
      store.list('pending'),
      store.get('a'),
      store.setMeta('k', 1),
      store.getMeta('k'),
      store.workers(),
    ];
    for (const attempt of attempts) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toBe('test store is closed');
    }
    expect(calls).toEqual([['close']]);
  });
});

describe('StateStoreRuntime: argument checks', () => {
  it('rejects bad IDs, owners, counts, lease times, sets and outcomes before the backend sees them', async () => {
    const { calls, store } = recorder();
    const bad: [Promise<unknown>, RegExp][] = [
      [store.add(['ok', '']), /invalid ID ""/],
      [store.add(['ok', 7 as unknown as string]), /invalid ID 7/],
      [store.add('abc' as unknown as string[]), /list/],
      [store.claim('', 1, 1000), /owner/],
      [store.claim('w', Number.NaN, 1000), /claim size/],
      [store.claim('w', 1, 0), /lease time/],
      [store.claim('w', 1, Number.POSITIVE_INFINITY), /lease time/],
      [store.renew('w', ['a'], -5), /lease time/],
      [store.promote(Number.NaN), /count/],
      [store.complete('w', 'a', 'maybe' as 'done'), /outcome/],
      [store.release('', ['a']), /owner/],
      [store.retryFailed('done' as 'failed'), /failed or notfound/],
      [store.list('nowhere' as 'done'), /unknown ID set "nowhere"/],
      [store.add(['a'], { to: 'done' as 'pending' }), /only to pending or backlog/],
    ];
    for (const [attempt, message] of bad) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(message);
    }
    expect(calls).toEqual([]);
  });

  it('answers empty requests without a round trip', async () => {
    const { calls, store } = recorder();
    expect(await store.add([])).toBe(0);
    expect(await store.claim('w', 0, 1000)).toEqual([]);
    expect(await store.claim('w', -3, 1000)).toEqual([]);
    expect(await store.promote(0)).toBe(0);
    await store.renew('w', [], 1000);
    await store.release('w', []);
    expect(await store.remove([])).toBe(0);
    expect(await store.list('done', { limit: 0 })).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe('StateStoreRuntime: batches', () => {
  it('drops duplicate IDs and cuts batches to the backend size', async () => {
    const { calls, store } = recorder();
    expect(await store.add(['a', 'b', 'a', 'c', 'd', 'b', 'e'], { to: 'backlog', depth: 2 })).toBe(5);
    expect(await store.remove(['a', 'b', 'c', 'd'])).toBe(4);
    await store.renew('w', ['a', 'a', 'b', 'c', 'd'], 500);
    expect(calls).toEqual([
      ['add', ['a', 'b', 'c'], 'backlog', 2, false],
      ['add', ['d', 'e'], 'backlog', 2, false],
      ['remove', ['a', 'b', 'c']],
      ['remove', ['d']],
      ['renew', 'w', ['a', 'b', 'c'], 500],
      ['renew', 'w', ['d'], 500],
    ]);
  });

  it('releases the last part first, so the whole list lands at the head of pending in order', async () => {
    const { calls, store } = recorder();
    await store.release('w', ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(calls).toEqual([
      ['release', 'w', ['g']],
      ['release', 'w', ['d', 'e', 'f']],
      ['release', 'w', ['a', 'b', 'c']],
    ]);
  });

  it('promotes in parts until n moved or the backlog ran dry', async () => {
    const { calls, store } = recorder();
    expect(await store.promote(7)).toBe(7);
    expect(calls).toEqual([
      ['promote', 3],
      ['promote', 3],
      ['promote', 1],
    ]);
    let left = 4;
    const dry = recorder({
      promote: async (n) => {
        const got = Math.min(n, left);
        left -= got;
        return got;
      },
    });
    expect(await dry.store.promote(100)).toBe(4);
  });

  it('retries failed IDs in parts until a part comes back short', async () => {
    const sizes = [3, 3, 1];
    const { calls, store } = recorder({
      retryFailed: async (from, n) => {
        calls.push(['retryFailed', from, n]);
        return sizes.shift() ?? 0;
      },
    });
    expect(await store.retryFailed('notfound')).toBe(7);
    expect(calls).toEqual([
      ['retryFailed', 'notfound', 3],
      ['retryFailed', 'notfound', 3],
      ['retryFailed', 'notfound', 3],
    ]);
  });
});

describe('StateStoreRuntime: due times', () => {
  it('passes the due clock to claims only when due IDs are asked for', async () => {
    const seen: (number | undefined)[] = [];
    const { store } = recorder({
      claim: async (_owner, _n, _leaseMs, dueNow) => {
        seen.push(dueNow);
        return [];
      },
    });
    await store.claim('w', 1, 1000);
    await store.claim('w', 1, 1000, { now: 5 });
    await store.claim('w', 1, 1000, { due: true, now: 1234 });
    const before = Date.now();
    await store.claim('w', 1, 1000, { due: true });
    expect(seen.slice(0, 3)).toEqual([undefined, undefined, 1234]);
    expect(seen[3]).toBeGreaterThanOrEqual(before);
  });

  it('sends due times with done and notfound completions, never with failed ones', async () => {
    const taken: Completion[] = [];
    const { store } = recorder({
      complete: async (take) => {
        await Promise.resolve();
        const batch = take();
        taken.push(...batch);
        return batch.map(() => true);
      },
    });
    await Promise.all([
      store.complete('w', 'a', 'done', undefined, { dueAt: 100 }),
      store.complete('w', 'b', 'failed', 'x', { dueAt: 200 }),
      store.complete('w', 'c', 'notfound', 'gone', { dueAt: 300 }),
    ]);
    expect(taken.map((c) => [c.id, c.dueAt])).toEqual([
      ['a', 100],
      ['b', undefined],
      ['c', 300],
    ]);
  });

  it('rejects due times and clocks that are not finite numbers', async () => {
    const { calls, store } = recorder();
    const bad: Promise<unknown>[] = [
      store.complete('w', 'a', 'done', undefined, { dueAt: Number.NaN }),
      store.complete('w', 'a', 'done', undefined, { dueAt: '1' as unknown as number }),
      store.claim('w', 1, 1000, { due: true, now: Number.POSITIVE_INFINITY }),
      store.dueSummary(Number.NaN),
    ];
    for (const attempt of bad)
      expect(await attempt.catch((e: unknown) => e)).toBeInstanceOf(InvalidInputError);
    expect(calls).toEqual([]);
    expect(await store.dueSummary(0)).toEqual({ dueNow: 0, nextHour: 0, nextDay: 0, later: 0 });
  });
});

describe('StateStoreRuntime: group commit', () => {
  it('sends completions of one tick in one write, at most the batch size, each with its own answer', async () => {
    const { calls, store } = recorder();
    const answers = await Promise.all([
      store.complete('w', 'a', 'done'),
      store.complete('w', 'b', 'failed', 'timeout'),
      store.complete('w', 'c', 'done'),
      store.complete('w', 'd', 'notfound'),
    ]);
    expect(answers).toEqual([true, false, true, false]);
    expect(calls).toEqual([
      ['complete', ['a', 'b', 'c']],
      ['complete', ['d']],
    ]);
  });

  it('lets completions that arrive while a write waits for its turn join it', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const batches: Completion[][] = [];
    const { store } = recorder(
      {
        complete: async (take) => {
          await gate;
          const batch = take();
          batches.push([...batch]);
          return batch.map(() => true);
        },
      },
      100,
    );
    const first = store.complete('w', 'a', 'done');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = [store.complete('w', 'b', 'done'), store.complete('w', 'c', 'failed', 'why')];
    open();
    expect(await Promise.all([first, ...later])).toEqual([true, true, true]);
    expect(batches).toEqual([
      [
        { owner: 'w', id: 'a', outcome: 'done', reason: undefined },
        { owner: 'w', id: 'b', outcome: 'done', reason: undefined },
        { owner: 'w', id: 'c', outcome: 'failed', reason: 'why' },
      ],
    ]);
  });

  it('fails every completion of a failed write, and the queued ones when it failed before taking them', async () => {
    let broken: 'before' | 'after' | undefined = 'before';
    const { store } = recorder({
      complete: async (take) => {
        await Promise.resolve();
        if (broken === 'before') throw new Error('cannot begin');
        const batch = take();
        if (broken === 'after') throw new Error('disk on fire');
        return batch.map(() => true);
      },
    });
    for (const when of ['before', 'after'] as const) {
      broken = when;
      const results = await Promise.allSettled([
        store.complete('w', 'a', 'done'),
        store.complete('w', 'b', 'done'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    }
    // Nothing is left queued: the next completion gets its own write.
    broken = undefined;
    expect(await store.complete('w', 'x', 'done')).toBe(true);
  });
});

describe('StateStoreRuntime: errors', () => {
  it("turns a library's error into the backend's StoreError, and passes the crawler's own errors as they are", async () => {
    const ours = new TimeoutError('too slow');
    const { store } = recorder({
      counts: async () => {
        throw Object.assign(new Error('SQLITE_BUSY: database is locked\nat …'), { code: 'SQLITE_BUSY' });
      },
      get: async () => {
        throw ours;
      },
      classifyError: (error) =>
        new StoreError(`test store is locked (${(error as { code: string }).code})`, {
          cause: error,
          hint: 'wait',
          transient: true,
        }),
    });
    const error = await store.counts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({
      message: 'test store is locked (SQLITE_BUSY)',
      transient: true,
      hint: 'wait',
    });
    expect(await store.get('a').catch((e: unknown) => e)).toBe(ours);
  });

  it('without a classifier, names the store and keeps the first line of the message', async () => {
    const { store } = recorder({
      remove: async () => {
        throw new Error('connection lost\nstack…');
      },
    });
    const error = await store.remove(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toBe('test store failed: connection lost');
    expect((error as StoreError).cause).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(InvalidInputError);
    expect((error as CrawlError).hint).toBeTruthy();
  });
});

describe('StateStoreRuntime: capabilities', () => {
  it('offers heartbeats and meta only when the backend flags them', async () => {
    const { store } = recorder({ capabilities: { workers: false, meta: true } });
    expect(store.heartbeat).toBeUndefined();
    expect(store.workers).toBeUndefined();
    expect(store.signOff).toBeUndefined();
    expect(typeof store.setMeta).toBe('function');
    const full = recorder().store;
    expect(typeof full.heartbeat).toBe('function');
    const bare = recorder({ capabilities: { workers: false, meta: false } }).store;
    expect(bare.getMeta).toBeUndefined();
    expect(bare.setMeta).toBeUndefined();
  });
});
