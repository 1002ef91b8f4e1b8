import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTinySiteAdapter } from '../examples/tiny-site-adapter.js';
import { createOutcomes, type OutcomesDeps } from '../src/core/engine/outcomes.js';
import type { CrawlerEvents } from '../src/core/events.js';
import { silentLogger } from '../src/core/logger.js';
import { type KeyvStateStore, openKeyvStateStore } from '../src/stores/keyv-state-store.js';

let state: KeyvStateStore;
beforeEach(async () => {
  state = await openKeyvStateStore();
});
afterEach(async () => {
  await state.close();
});

function setup(overrides: Partial<OutcomesDeps> = {}) {
  const finished: string[] = [];
  let released = 0;
  let pauses = 0;
  const events: { name: keyof CrawlerEvents; event: unknown }[] = [];
  const outcomes = createOutcomes({
    state,
    store: (work) => work,
    workerId: 'w1',
    meter: {
      finished: (outcome) => finished.push(outcome),
      released: () => {
        released++;
      },
    },
    pauseClaims: () => {
      pauses++;
    },
    discovery: { enabled: true, maxDepth: 2, maxPerUser: 3 },
    promoteBacklog: undefined,
    site: createTinySiteAdapter({ baseUrl: 'http://127.0.0.1:1' }),
    emitter: { emit: (name, event) => events.push({ name, event }) },
    log: silentLogger,
    troubleLog: () => {},
    ...overrides,
  });
  return { outcomes, finished, events, counters: () => ({ released, pauses }) };
}

describe('outcomes', () => {
  it('complete moves the leased ID to its final set and counts it', async () => {
    await state.add(['a'], { to: 'pending' });
    await state.claim('w1', 1, 60_000);
    const { outcomes, finished } = setup();
    await outcomes.complete('a', 'failed', 'broken');
    expect(await state.get('a')).toMatchObject({ set: 'failed', reason: 'broken' });
    expect(finished).toEqual(['failed']);
  });

  it('release puts the ID back to pending, announces it, and pauses claims only when asked', async () => {
    await state.add(['a', 'b'], { to: 'pending' });
    await state.claim('w1', 2, 60_000);
    const { outcomes, events, counters } = setup();
    await outcomes.release('a', 'ABORTED', 'stopping');
    await outcomes.release('b', 'STORE', 'store error', true);
    expect((await state.get('a'))?.set).toBe('pending');
    expect(counters()).toEqual({ released: 2, pauses: 1 });
    expect(events.map((e) => e.name)).toEqual(['userReleased', 'userReleased']);
  });

  it('release never throws when the store fails; the trouble is logged', async () => {
    const troubles: string[] = [];
    const { outcomes, counters } = setup({
      store: () => Promise.reject(new Error('locked')),
      troubleLog: (what) => troubles.push(what),
    });
    await outcomes.release('a', 'ABORTED', 'stopping');
    expect(troubles).toEqual(['could not release a']);
    expect(counters().released).toBe(1);
  });

  it('discovery: normalised, deduplicated, capped per list, without the user itself, one level deeper', async () => {
    const { outcomes, events } = setup();
    await outcomes.addDiscovered('me', 0, ['x', 'x', 'me', 'not valid!', 'y'], ['z']);
    expect(events).toEqual([{ name: 'discovered', event: { ids: ['x', 'z'], from: 'me', depth: 1 } }]);
    expect(await state.get('z')).toMatchObject({ set: 'pending', depth: 1 });
  });

  it('discovery goes to the backlog when the backlog is promoted, and stops at maxDepth', async () => {
    const { outcomes, events } = setup({ promoteBacklog: 10 });
    await outcomes.addDiscovered('me', 1, ['x']);
    expect((await state.get('x'))?.set).toBe('backlog');
    await outcomes.addDiscovered('x', 2, ['deeper']);
    expect(await state.get('deeper')).toBeUndefined();
    expect(events.length).toBe(1);
  });
});
