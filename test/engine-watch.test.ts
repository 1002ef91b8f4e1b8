import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTinySite, type TinySite } from '../examples/tiny-site-adapter.js';
import { dueAfter } from '../src/core/engine/refresh-cadence.js';
import {
  type LogLine,
  memoryLogger,
  openTestStores,
  type TestStores,
  tinyEngine,
  tinyUsers,
} from './engine-helpers.js';

/**
 * Due times end to end on the real Keyv memory state store and SQLite results, with the engine's
 * clock injected (`now`): the test moves time by days without waiting for it.
 */
const H = 3_600_000;
const MINUTE = 60_000;

let site: TinySite | undefined;
let stores: TestStores | undefined;
const cleanups: (() => void)[] = [];
/** Watching runs still going when a test fails: stopped before the stores close. */
const running: Promise<unknown>[] = [];
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await Promise.allSettled(running.splice(0));
  for (const cleanup of cleanups.splice(0)) cleanup();
  await site?.close();
  await stores?.close();
  site = undefined;
  stores = undefined;
});

function engineAt(clock: { now: number }, overrides: Parameters<typeof tinyEngine>[2] = {}) {
  if (!site || !stores) throw new Error('no site');
  const { engine, http } = tinyEngine(site, stores, { now: () => clock.now, ...overrides });
  cleanups.push(() => http.close());
  stops.push(() => engine.stop());
  return engine;
}

/** The clock halfway in the widest gap between due times (Keyv keeps them to the minute). */
function clockBetween(dues: { id: string; dueAt: number }[]) {
  const sorted = [...dues].sort((a, b) => a.dueAt - b.dueAt);
  let best = 1;
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k].dueAt - sorted[k - 1].dueAt > sorted[best].dueAt - sorted[best - 1].dueAt) best = k;
  }
  expect(sorted[best].dueAt - sorted[best - 1].dueAt).toBeGreaterThan(4 * MINUTE);
  return {
    now: Math.round((sorted[best].dueAt + sorted[best - 1].dueAt) / 2),
    due: sorted.slice(0, best).map((d) => d.id),
  };
}

describe('engine: refreshes when due', () => {
  it('completes users with due times; a later run without watch refreshes exactly those due, adaptively', async () => {
    const users = tinyUsers(8);
    const ids = Object.keys(users);
    site = await startTinySite({ users });
    stores = await openTestStores();
    const T0 = Date.now();
    const clock = { now: T0 };

    const first = await engineAt(clock, { ids: [...ids, 'ghost'] }).run();
    expect(first).toMatchObject({ done: 8, notfound: 1, stoppedBy: 'drained' });
    const dues: { id: string; dueAt: number }[] = [];
    for (const id of ids) {
      const record = await stores.state.get(id);
      expect(record?.dueAt).toBe(dueAfter(id, T0, 24 * H, 0.1));
      dues.push({ id, dueAt: record?.dueAt as number });
    }
    expect((await stores.state.get('ghost'))?.dueAt).toBe(dueAfter('ghost', T0, 7 * 24 * H, 0.1));

    // A run at once finds nothing due: no request.
    const before = site.requests.length;
    expect(await engineAt(clock).run()).toMatchObject({ done: 0, stoppedBy: 'drained' });
    expect(site.requests.length).toBe(before);

    const { now, due } = clockBetween(dues);
    clock.now = now;
    expect((await stores.state.dueSummary(now)).dueNow).toBe(due.length);
    const changed = due[0];
    users[changed].posts[0].views += 5;
    const sent = site.requests.length;
    const second = await engineAt(clock).run();
    expect(second).toMatchObject({ done: due.length, notfound: 0, stoppedBy: 'drained' });
    const asked = site.requests.slice(sent).map((p) => p.replace('/api/users/', ''));
    expect(asked.sort()).toEqual([...due].sort());
    for (const id of due) {
      const interval = id === changed ? 12 * H : 48 * H;
      expect((await stores.state.get(id))?.dueAt).toBe(dueAfter(id, now, interval, 0.1));
    }
    for (const id of ids.filter((i) => !due.includes(i))) {
      expect((await stores.state.get(id))?.dueAt).toBe(dueAfter(id, T0, 24 * H, 0.1));
    }
    // One profile snapshot per crawl.
    expect((await stores.results.getSnapshots(changed)).length).toBe(2);
  });

  it('a refresh that fails keeps the earlier data and is tried again refresh.min later', async () => {
    let broken = false;
    site = await startTinySite({
      users: tinyUsers(2),
      hook: (_req, res, id) => {
        if (!broken || id !== 'u1') return false;
        res.writeHead(500).end('down for u1');
        return true;
      },
    });
    stores = await openTestStores();
    const T0 = Date.now();
    const clock = { now: T0 };
    await engineAt(clock, { ids: ['u0', 'u1'] }).run();
    const firstDue = (await stores.state.get('u1'))?.dueAt as number;

    broken = true;
    clock.now = Math.max(firstDue, (await stores.state.get('u0'))?.dueAt as number) + MINUTE;
    const failedAt = clock.now;
    const refresh = await engineAt(clock).run();
    expect(refresh).toMatchObject({ done: 1, failed: 1, stoppedBy: 'drained' });
    // Still scheduled (not left in failed for `retry`): refresh.min (6 h) later, with its jitter.
    expect(await stores.state.get('u1')).toMatchObject({
      set: 'done',
      dueAt: dueAfter('u1', failedAt, 6 * H, 0.1),
    });
    expect((await stores.state.counts()).failed).toBe(0);
    const stored = await stores.results.getUser('u1');
    expect(stored).toMatchObject({ status: 'failed', lastGoodCrawledAt: T0 });
    expect(stored?.reason).toMatch(/HTTP 500/);

    // Healed: the next due run refreshes it as usual.
    broken = false;
    // Keyv keeps due times to the second: due from the end of that second.
    clock.now = dueAfter('u1', failedAt, 6 * H, 0.1) + 1000;
    expect(await engineAt(clock).run()).toMatchObject({ done: 1, failed: 0 });
    expect(await stores.results.getUser('u1')).toMatchObject({
      status: 'done',
      lastGoodCrawledAt: clock.now,
    });
    expect((await stores.results.getSnapshots('u1')).length).toBe(2);
  });

  it('watching: sleeps with nothing due, wakes when a user comes due, stops on stop()', async () => {
    const users = tinyUsers(2);
    site = await startTinySite({ users });
    stores = await openTestStores();
    const clock = { now: Date.now() };
    await engineAt(clock, { ids: ['u0', 'u1'] }).run();
    const dueAt = (await stores.state.get('u0'))?.dueAt as number;
    const otherDue = (await stores.state.get('u1'))?.dueAt as number;

    const lines: LogLine[] = [];
    const engine = engineAt(clock, { watch: true, watchRecheckMs: 50, logger: memoryLogger(lines) });
    const done: string[] = [];
    engine.on('userDone', (e) => done.push(e.id));
    const run = engine.run();
    running.push(run);
    await vi.waitFor(
      () => expect(lines.some((l) => l.message.startsWith('watching: nothing pending'))).toBe(true),
      {
        timeout: 5000,
      },
    );
    const sent = site.requests.length;
    // Past u0's due time (and its minute), before u1's.
    expect(Math.abs(otherDue - dueAt)).toBeGreaterThan(4 * MINUTE);
    const [first, second] = dueAt < otherDue ? ['u0', 'u1'] : ['u1', 'u0'];
    clock.now = Math.min(dueAt, otherDue) + 2 * MINUTE;
    await vi.waitFor(() => expect(done).toEqual([first]), { timeout: 5000 });
    expect(site.requests.length).toBe(sent + 1);
    await engine.stop();
    const summary = await run;
    expect(summary).toMatchObject({ done: 1, stoppedBy: 'signal' });
    expect((await stores.state.get(second))?.set).toBe('done');
  });

  it('one stop ends a watching run asleep for a long time at once', async () => {
    site = await startTinySite({ users: tinyUsers(1) });
    stores = await openTestStores();
    const clock = { now: Date.now() };
    await engineAt(clock, { ids: ['u0'] }).run();
    const lines: LogLine[] = [];
    // The default re-check (a minute) and a refresh due a day later: the run sleeps long.
    const engine = engineAt(clock, { watch: true, watchRecheckMs: 60_000, logger: memoryLogger(lines) });
    const run = engine.run();
    running.push(run);
    await vi.waitFor(() => expect(lines.some((l) => l.message.includes('next refresh due in'))).toBe(true), {
      timeout: 5000,
    });
    const t = Date.now();
    await engine.stop();
    expect(await run).toMatchObject({ done: 0, stoppedBy: 'signal' });
    // Far below the minute it was sleeping for.
    expect(Date.now() - t).toBeLessThan(10_000);
  });
});
