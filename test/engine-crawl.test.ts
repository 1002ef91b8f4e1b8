import { afterEach, describe, expect, it } from 'vitest';
import { startTinySite, type TinySite } from '../examples/tiny-site-adapter.js';
import type { ProgressEvent } from '../src/core/events.js';
import {
  type LogLine,
  memoryLogger,
  openTestStores,
  type TestStores,
  tinyEngine,
  tinyUsers,
} from './engine-helpers.js';

let site: TinySite | undefined;
let stores: TestStores | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await site?.close();
  await stores?.close();
  site = undefined;
  stores = undefined;
});

describe('engine: a plain crawl', () => {
  it('crawls every user, stores results, marks missing users notfound, emits events', async () => {
    site = await startTinySite({ users: tinyUsers(10) });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, {
      ids: [...Object.keys(tinyUsers(10)), 'ghost', 'BAD ID!'],
    });
    cleanups.push(() => http.close());
    const done: string[] = [];
    const progress: ProgressEvent[] = [];
    engine.on('userDone', (e) => done.push(e.id));
    engine.on('progress', (e) => progress.push(e));
    const summary = await engine.run();

    expect(summary).toMatchObject({ done: 10, notfound: 1, failed: 0, released: 0, stoppedBy: 'drained' });
    expect(summary.requests).toBe(11);
    expect(done.sort()).toEqual(Object.keys(tinyUsers(10)).sort());
    const counts = await stores.state.counts();
    expect(counts).toMatchObject({ done: 10, notfound: 1, pending: 0, leased: 0 });
    expect((await stores.results.getArticles('u2')).length).toBe(3);
    expect((await stores.results.getUser('ghost'))?.status).toBe('notfound');
    expect(progress.at(-1)).toMatchObject({ done: 10, notfound: 1, inFlight: 0, pending: 0 });
    const lastRun = await stores.state.getMeta<{ done: number }>('lastRun');
    expect(lastRun?.done).toBe(10);
  });

  it('stays until IDs leased by a worker that died expire, then crawls them', async () => {
    site = await startTinySite({ users: tinyUsers(3) });
    stores = await openTestStores();
    await stores.state.add(['u0', 'u1']);
    // Another worker claimed u0 and died: its lease runs out in a second.
    expect((await stores.state.claim('dead-worker', 1, 1000)).map((l) => l.id)).toEqual(['u0']);
    const lines: LogLine[] = [];
    const { engine, http } = tinyEngine(site, stores, { logger: memoryLogger(lines) });
    cleanups.push(() => http.close());
    const summary = await engine.run();
    expect(summary).toMatchObject({ done: 2, stoppedBy: 'drained' });
    expect(await stores.state.counts()).toMatchObject({ done: 2, leased: 0, pending: 0 });
    expect(lines.filter((l) => /leased by other workers/.test(l.message))).toHaveLength(1);
  });

  it('adds discovered follows and fans one level deep', async () => {
    site = await startTinySite({
      users: {
        root: { name: 'Root', posts: [], follows: ['a', 'b'], fans: ['c', 'root', 'NOT VALID'] },
        a: { name: 'A', posts: [], follows: ['deep'] },
        b: { name: 'B', posts: [] },
        c: { name: 'C', posts: [] },
        deep: { name: 'Deep', posts: [] },
      },
    });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, {
      ids: ['root'],
      discovery: { enabled: true, maxDepth: 1, maxPerUser: 10 },
    });
    cleanups.push(() => http.close());
    const discovered: string[][] = [];
    engine.on('discovered', (e) => discovered.push(e.ids));
    const summary = await engine.run();
    expect(summary.done).toBe(4);
    expect(discovered).toEqual([['a', 'b', 'c']]);
    expect((await stores.state.get('a'))?.depth).toBe(1);
    expect(await stores.state.get('deep')).toBeUndefined();
  });

  it('puts discovered IDs in the backlog and promotes them when pending runs dry', async () => {
    site = await startTinySite({
      users: { root: { name: 'Root', posts: [], follows: ['a', 'b', 'c'] }, a: { name: 'A', posts: [] } },
    });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, {
      ids: ['root'],
      discovery: { enabled: true, maxDepth: 1, maxPerUser: 10 },
      promoteBacklog: 2,
    });
    cleanups.push(() => http.close());
    const summary = await engine.run();
    expect(summary).toMatchObject({ done: 2, notfound: 2 });
    expect((await stores.state.counts()).backlog).toBe(0);
  });
});

describe('engine: errors decided by the policy', () => {
  it('retries a transient failure and finishes the user', async () => {
    let calls = 0;
    site = await startTinySite({
      users: tinyUsers(1),
      hook: (_req, res) => {
        calls++;
        if (calls > 2) return false;
        res.writeHead(500);
        res.end('boom');
        return true;
      },
    });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, { ids: ['u0'] });
    cleanups.push(() => http.close());
    const summary = await engine.run();
    expect(summary).toMatchObject({ done: 1, failed: 0 });
    expect(calls).toBe(3);
  });

  it('fails a user after maxAttempts with the reason recorded', async () => {
    site = await startTinySite({
      users: tinyUsers(1),
      hook: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('<html>not json</html>');
        return true;
      },
    });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, { ids: ['u0'] });
    cleanups.push(() => http.close());
    const failed: { id: string; reason: string; code: string }[] = [];
    engine.on('userFailed', (e) => failed.push(e));
    const summary = await engine.run();
    expect(summary).toMatchObject({ done: 0, failed: 1 });
    expect(site.requests.length).toBe(3);
    expect(failed[0].code).toBe('PARSE');
    expect(failed[0].reason).toMatch(/parse after 3 attempts/);
    expect(failed[0].reason).toMatch(/evidence: .*\.json/);
    const record = await stores.state.get('u0');
    expect(record?.set).toBe('failed');
    expect(record?.reason).toMatch(/not JSON/);
    expect((await stores.results.getUser('u0'))?.status).toBe('failed');
  });

  it('honours Retry-After without spending a retry', async () => {
    let calls = 0;
    site = await startTinySite({
      users: tinyUsers(1),
      hook: (_req, res) => {
        calls++;
        if (calls > 3) return false;
        res.writeHead(429, { 'retry-after': '0.05' });
        res.end();
        return true;
      },
    });
    stores = await openTestStores();
    // One costed attempt only: three throttles must not use it up.
    const { engine, http } = tinyEngine(site, stores, {
      ids: ['u0'],
      retries: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 50 },
      requestRetries: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 50, maxThrottles: 0 },
    });
    cleanups.push(() => http.close());
    const summary = await engine.run();
    expect(summary).toMatchObject({ done: 1, failed: 0 });
    expect(calls).toBe(4);
  });

  it('ends a user that exceeds its deadline in a timeout failure, not a hang', async () => {
    site = await startTinySite({
      users: tinyUsers(2),
      // u1 never gets an answer.
      hook: (_req, _res, id) => id === 'u1',
    });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, {
      ids: ['u0', 'u1'],
      userTimeoutMs: 300,
      requestTimeoutMs: 10_000,
      retries: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    });
    cleanups.push(() => http.close());
    const failed: { id: string; code: string }[] = [];
    engine.on('userFailed', (e) => failed.push(e));
    const summary = await engine.run();
    expect(summary).toMatchObject({ done: 1, failed: 1 });
    expect(failed).toEqual([expect.objectContaining({ id: 'u1', code: 'TIMEOUT' })]);
  });

  it('ends a request to a never-answering server at the request deadline', async () => {
    site = await startTinySite({ users: tinyUsers(1), hook: () => true });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, {
      ids: ['u0'],
      requestTimeoutMs: 200,
      retries: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      // A site that never answered in the run keeps its users pending until this passes (then it
      // is unreachable, see test/bad-input/base-url.test.ts); 0 tests the request deadline alone.
      outage: { firstContactTimeoutMs: 0 },
    });
    cleanups.push(() => http.close());
    const failed: { reason: string }[] = [];
    engine.on('userFailed', (e) => failed.push(e));
    const summary = await engine.run();
    expect(summary.failed).toBe(1);
    expect(failed[0].reason).toMatch(/timeout after 2 attempts: no complete response/);
  });
});

describe('engine: stop and resume', () => {
  it('stop() mid-run releases in-flight users to pending and keeps finished ones', async () => {
    site = await startTinySite({
      users: tinyUsers(8),
      // Everyone but u0 and u1 hangs until the connection is closed.
      hook: (_req, _res, id) => id !== 'u0' && id !== 'u1',
    });
    stores = await openTestStores();
    const { engine, http } = tinyEngine(site, stores, {
      ids: Object.keys(tinyUsers(8)),
      concurrency: 4,
      stopTimeoutMs: 200,
      requestTimeoutMs: 30_000,
      userTimeoutMs: 30_000,
    });
    cleanups.push(() => http.close());
    let stopping: Promise<void> | undefined;
    engine.on('progress', (p) => {
      if (!stopping && p.done === 2 && p.inFlight === 4) stopping = engine.stop();
    });
    const summary = await engine.run();
    await stopping;
    expect(summary.stoppedBy).toBe('signal');
    expect(summary.done).toBe(2);
    expect(summary.released).toBe(4);
    const counts = await stores.state.counts();
    expect(counts).toMatchObject({ done: 2, leased: 0, pending: 6 });
  });

  it('an AbortSignal stops the run like stop()', async () => {
    site = await startTinySite({ users: tinyUsers(3), hook: () => true });
    stores = await openTestStores();
    const controller = new AbortController();
    const { engine, http } = tinyEngine(site, stores, {
      ids: Object.keys(tinyUsers(3)),
      signal: controller.signal,
      stopTimeoutMs: 100,
      requestTimeoutMs: 30_000,
    });
    cleanups.push(() => http.close());
    setTimeout(() => controller.abort(), 200);
    const summary = await engine.run();
    expect(summary).toMatchObject({ stoppedBy: 'signal', released: 3, done: 0 });
    expect((await stores.state.counts()).pending).toBe(3);
  });

  it('completes a user stored before a crash without crawling it again', async () => {
    site = await startTinySite({ users: tinyUsers(2) });
    stores = await openTestStores();
    await stores.state.add(['u0', 'u1']);
    // The crashed worker: claimed both, stored u0, died before moving it to done; its leases expire.
    const leases = await stores.state.claim('crashed-worker', 2, 1);
    expect(leases.length).toBe(2);
    await stores.results.saveUser(
      { username: 'u0', profile: { username: 'u0' }, articles: [], source: 'api' },
      Date.now(),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { engine, http } = tinyEngine(site, stores);
    cleanups.push(() => http.close());
    const summary = await engine.run();
    expect(summary).toMatchObject({ done: 2 });
    expect(site.requests).toEqual(['/api/users/u1']);
    expect((await stores.results.getSnapshots('u0')).length).toBe(1);
  });

  it('a restarted worker completes what it stored and takes back its other leases at once', async () => {
    site = await startTinySite({ users: tinyUsers(3) });
    stores = await openTestStores();
    await stores.state.add(['u0', 'u1', 'u2']);
    // The same worker before its crash: long leases, u0 stored but not completed.
    expect((await stores.state.claim('test-worker', 3, 600_000)).length).toBe(3);
    await stores.results.saveUser(
      { username: 'u0', profile: { username: 'u0' }, articles: [], source: 'api' },
      Date.now(),
    );
    const logs: LogLine[] = [];
    const { engine, http } = tinyEngine(site, stores, { logger: memoryLogger(logs) });
    cleanups.push(() => http.close());
    expect(await engine.run()).toMatchObject({ done: 3 });
    expect(site.requests.sort()).toEqual(['/api/users/u1', '/api/users/u2']);
    expect((await stores.results.getSnapshots('u0')).length).toBe(1);
    expect(logs.some((l) => /completed 1 users stored before a restart/.test(l.message))).toBe(true);
    expect(logs.some((l) => /took back 2 IDs/.test(l.message))).toBe(true);
  });
});

describe('engine: outage', () => {
  it('pauses while the site is down, logs once per probe, and finishes everyone when it is back', async () => {
    let down = false;
    let downAt = 0;
    site = await startTinySite({
      users: tinyUsers(20),
      hook: (req, _res, id) => {
        if (!down && id === 'u5' && downAt === 0) {
          down = true;
          downAt = Date.now();
          setTimeout(() => {
            down = false;
          }, 1500);
        }
        if (down) {
          req.socket.destroy();
          return true;
        }
        return false;
      },
    });
    stores = await openTestStores();
    const logs: LogLine[] = [];
    const { engine, http } = tinyEngine(site, stores, {
      ids: Object.keys(tinyUsers(20)),
      concurrency: 2,
      logger: memoryLogger(logs),
      retries: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
      requestRetries: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20 },
      outage: { failureThreshold: 4, firstProbeDelayMs: 100, maxProbeDelayMs: 400 },
    });
    cleanups.push(() => http.close());
    const downs: string[] = [];
    const ups: number[] = [];
    engine.on('siteDown', (e) => downs.push(e.host));
    engine.on('siteUp', (e) => ups.push(e.downMs));
    const summary = await engine.run();

    expect(summary).toMatchObject({ done: 20, failed: 0 });
    expect(summary.released).toBeGreaterThan(0);
    expect(downs.length).toBe(1);
    expect(ups.length).toBe(1);
    const probeLines = logs.filter((l) => /down for .* next probe in/.test(l.message));
    // 1.5 s down with probes at 0.1, 0.2, 0.4, 0.4 ... s: a handful of lines, not one per request.
    expect(probeLines.length).toBeGreaterThan(0);
    expect(probeLines.length).toBeLessThan(8);
    expect(logs.filter((l) => /is back after/.test(l.message)).length).toBe(1);
    expect(await stores.state.counts()).toMatchObject({ done: 20, failed: 0, pending: 0, leased: 0 });
  });
});
