import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserPool, createBrowserPool } from '../src/core/browser-pool.js';
import { AbortedError } from '../src/core/errors.js';
import { hasEnv, isAlive, listProcs } from '../src/drivers/chromium-process.js';
import { playwrightDriver } from '../src/drivers/playwright.js';
import { seleniumDriver } from '../src/drivers/selenium.js';
import { defaultPoolSettings } from './helpers/pool-settings.js';

const RUN_ENV = 'CSDN_CRAWL_POOL_TEST_RUN';
const run = randomUUID();
const d = { timeoutMs: 15_000 };
const pools: BrowserPool[] = [];
const seenPids = new Set<number>();
let server: http.Server;
let base: string;

function pool(options: Partial<Parameters<typeof createBrowserPool>[0]> = {}): BrowserPool {
  const created = createBrowserPool({
    driver: playwrightDriver(),
    ...defaultPoolSettings,
    closeTimeoutMs: 3_000,
    ...options,
  });
  pools.push(created);
  return created;
}

function remember(p: BrowserPool): number[] {
  const pids = p.stats().pids;
  for (const pid of pids) seenPids.add(pid);
  return pids;
}

/** Live processes of the trees started as `roots` (process groups), and with `tagged` any that inherited this run's tag. */
function leftovers(roots: Iterable<number>, tagged = false): number[] {
  const set = new Set(roots);
  return listProcs()
    .filter((p) => p.state !== 'Z' && p.state !== 'X')
    .filter((p) => set.has(p.pid) || set.has(p.pgid) || (tagged && hasEnv(p.pid, RUN_ENV, run)))
    .map((p) => p.pid);
}

async function waitUntil(check: () => boolean, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

beforeAll(async () => {
  process.env[RUN_ENV] = run;
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<title>pool</title><p id="p">pool page</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  for (const p of pools) await p.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  expect(leftovers(seenPids, true)).toEqual([]);
});

describe('browser pool lifecycle (playwright)', () => {
  it('leases up to size × pagesPerBrowser pages and queues the rest until one is released', async () => {
    const p = pool({ size: 1, pagesPerBrowser: 2 });
    const first = await p.lease();
    const second = await p.lease();
    await Promise.all([first.page.goto(base, d), second.page.goto(base, d)]);
    expect(p.stats()).toMatchObject({ browsers: 1, leased: 2, capacity: 2, waiting: 0 });
    let thirdResolved = false;
    const third = p.lease().then((lease) => {
      thirdResolved = true;
      return lease;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(thirdResolved).toBe(false);
    expect(p.stats().waiting).toBe(1);
    await first.release();
    await first.release(); // twice is fine
    const lease = await third;
    expect(await lease.page.evaluate('document.title', d)).toBe('');
    await lease.page.goto(base, d);
    expect(await lease.page.evaluate('document.title', d)).toBe('pool');
    expect(remember(p)).toHaveLength(1);
    await expect(first.page.content(d)).rejects.toThrow(/released/);
    await Promise.all([second.release(), lease.release()]);
    expect(p.stats()).toMatchObject({ leased: 0, leases: 3, launched: 1 });
  });

  it('rejects a waiting lease when its signal aborts, and a lease after close', async () => {
    const p = pool({ size: 1, pagesPerBrowser: 1 });
    const held = await p.lease();
    const controller = new AbortController();
    const waiting = p.lease(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(p.stats().waiting).toBe(0);
    remember(p);
    await held.release();
    const again = await p.lease();
    await again.release();
    await p.close();
    expect(p.available).toBe(false);
    await expect(p.lease()).rejects.toBeInstanceOf(AbortedError);
  });

  it('retires a browser after K pages and closes it', async () => {
    const p = pool({ size: 1, pagesPerBrowser: 1, maxPagesPerBrowser: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const lease = await p.lease();
      await lease.page.goto(base, d);
      pids.push(...remember(p));
      await lease.release();
    }
    expect(pids[0]).toBe(pids[1]);
    expect(pids[2]).not.toBe(pids[0]);
    expect(p.stats().retired).toBe(1);
    expect(await waitUntil(() => !isAlive(pids[0]))).toBe(true);
    expect(leftovers([pids[0]])).toEqual([]);
  });

  it('retires a browser older than maxBrowserAgeMs', async () => {
    const p = pool({ size: 1, pagesPerBrowser: 1, maxBrowserAgeMs: 500 });
    const lease = await p.lease();
    const [firstPid] = remember(p);
    await lease.release();
    await new Promise((r) => setTimeout(r, 700));
    const next = await p.lease();
    const [secondPid] = remember(p);
    expect(secondPid).not.toBe(firstPid);
    await next.page.goto(base, d);
    await next.release();
    expect(await waitUntil(() => !isAlive(firstPid))).toBe(true);
  });

  it('close() leaves no process behind, leases still out included', async () => {
    const p = pool({ size: 2, pagesPerBrowser: 1 });
    const a = await p.lease();
    const b = await p.lease();
    await Promise.all([a.page.goto(base, d), b.page.goto(base, d)]);
    const pids = remember(p);
    expect(pids).toHaveLength(2);
    await p.close();
    expect(leftovers(pids)).toEqual([]);
    await a.release();
    await expect(b.page.content(d)).rejects.toThrow();
  });
});

describe('browser pool with a one-page-per-browser driver (selenium)', () => {
  it('starts more browsers instead of more tabs', async () => {
    const p = pool({ driver: seleniumDriver(), size: 1, pagesPerBrowser: 2 });
    const [a, b] = await Promise.all([p.lease(), p.lease()]);
    await Promise.all([a.page.goto(base, d), b.page.goto(base, d)]);
    const pids = remember(p);
    expect(new Set(pids).size).toBe(2);
    expect(p.stats().capacity).toBe(2);
    await Promise.all([a.release(), b.release()]);
    const c = await p.lease();
    await c.page.goto(base, d);
    expect(await c.page.cookies()).toEqual([]);
    await c.release();
    await p.close();
    expect(leftovers(pids)).toEqual([]);
  });
});
