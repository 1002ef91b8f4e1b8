import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLeaseKeeper, type LeaseKeeperDeps } from '../src/core/engine/lease-keeper.js';
import { silentLogger } from '../src/core/logger.js';
import type { WorkerInfo } from '../src/core/state-store.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';

afterEach(() => {
  vi.useRealTimers();
});

function fakeState() {
  const renewed: { ids: readonly string[]; leaseMs: number }[] = [];
  const beats: WorkerInfo[] = [];
  const signedOff: string[] = [];
  const state: LeaseKeeperDeps['state'] = {
    async renew(_owner, ids, leaseMs) {
      renewed.push({ ids, leaseMs });
    },
    async list() {
      return [];
    },
    async releaseOwner() {
      return 0;
    },
    async heartbeat(info) {
      beats.push(info);
    },
    async signOff(workerId) {
      signedOff.push(workerId);
    },
  };
  return { state, renewed, beats, signedOff };
}

function deps(state: LeaseKeeperDeps['state'], held: () => string[]): LeaseKeeperDeps {
  return {
    state,
    store: (work) => work,
    workerId: 'w1',
    leaseMs: 3000,
    heartbeatEveryMs: 5000,
    held,
    inFlight: () => held().length,
    rate: () => 7,
    startedAt: 123,
    log: silentLogger,
  };
}

describe('lease keeper', () => {
  it('renews the held leases every third of the lease, and nothing when nothing is held', async () => {
    vi.useFakeTimers();
    const fake = fakeState();
    let held: string[] = [];
    const keeper = createLeaseKeeper(deps(fake.state, () => held));
    keeper.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.renewed).toEqual([]);
    held = ['a', 'b'];
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.renewed).toEqual([{ ids: ['a', 'b'], leaseMs: 3000 }]);
    keeper.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.renewed.length).toBe(1);
  });

  it('beats the heart at once and then every interval, with the live figures', async () => {
    vi.useFakeTimers();
    const fake = fakeState();
    const keeper = createLeaseKeeper(deps(fake.state, () => ['x']));
    keeper.start();
    expect(fake.beats.length).toBe(1);
    expect(fake.beats[0]).toMatchObject({
      workerId: 'w1',
      startedAt: 123,
      inFlight: 1,
      rate: 7,
      pid: process.pid,
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.beats.length).toBe(3);
    keeper.stop();
    await keeper.signOff();
    expect(fake.signedOff).toEqual(['w1']);
  });

  it('recovers after a restart: completes its stored users, returns its other leases, leaves other workers alone', async () => {
    const state = await openKeyvStateStore();
    try {
      await state.add(['a', 'b', 'c'], { to: 'pending' });
      const mine = await state.claim('w1', 2, 60_000);
      const theirs = await state.claim('w2', 1, 60_000);
      const seen: { id: string; depth: number; since: number }[] = [];
      const stored = mine[0].id;
      const keeper = createLeaseKeeper(deps(state, () => []));
      await keeper.recover(async (id, depth, since) => {
        seen.push({ id, depth, since });
        if (id !== stored) return false;
        await state.complete('w1', id, 'done');
        return true;
      });
      expect(seen.map((s) => s.id).sort()).toEqual(mine.map((l) => l.id).sort());
      expect(seen.every((s) => s.depth === 0 && s.since > 0)).toBe(true);
      expect((await state.get(stored))?.set).toBe('done');
      expect((await state.get(mine[1].id))?.set).toBe('pending');
      expect((await state.get(theirs[0].id))?.set).toBe('leased');
    } finally {
      await state.close();
    }
  });
});
