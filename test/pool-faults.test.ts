import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserDriver, BrowserPage } from '../src/core/browser-driver.js';
import { type BrowserPool, createBrowserPool } from '../src/core/browser-pool.js';
import { DriverCrashError, TimeoutError } from '../src/core/errors.js';
import { hasEnv, isAlive, listProcs } from '../src/drivers/chromium-process.js';
import { playwrightDriver } from '../src/drivers/playwright.js';
import { defaultPoolSettings } from './helpers/pool-settings.js';

const RUN_ENV = 'CSDN_CRAWL_POOL_TEST_RUN';
const run = randomUUID();
const root = path.resolve(__dirname, '..');
const d = { timeoutMs: 15_000 };
const pools: BrowserPool[] = [];
const seenPids = new Set<number>();
let server: http.Server;
let base: string;

function pool(options: Partial<Parameters<typeof createBrowserPool>[0]> = {}): BrowserPool {
  const created = createBrowserPool({
    driver: playwrightDriver(),
    ...defaultPoolSettings,
    size: 1,
    pagesPerBrowser: 1,
    ...options,
  });
  pools.push(created);
  return created;
}

function pidOf(p: BrowserPool): number {
  const [pid] = p.stats().pids;
  seenPids.add(pid);
  return pid;
}

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

/** Freeze the browser's whole process group, as a wedged Chromium looks from outside. */
function freeze(pid: number): void {
  process.kill(-pid, 'SIGSTOP');
}

/** The playwright driver, with pages whose evaluate ignores its deadline (a buggy driver). */
function deafDriver(): BrowserDriver {
  const real = playwrightDriver();
  return {
    name: 'deaf',
    async launch(options) {
      const browser = await real.launch(options);
      const wrapped: Browser = {
        get pid() {
          return browser.pid;
        },
        raw: browser.raw,
        isConnected: () => browser.isConnected(),
        close: () => browser.close(),
        kill: () => browser.kill(),
        async newPage(deadline) {
          const page = await browser.newPage(deadline);
          const deaf: BrowserPage = Object.create(page);
          deaf.evaluate = () => new Promise(() => undefined);
          return deaf;
        },
      };
      return wrapped;
    },
  };
}

beforeAll(async () => {
  process.env[RUN_ENV] = run;
  server = http.createServer((req, res) => {
    if (req.url === '/hold') return;
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<title>faults</title><p id="p">page</p>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const p of pools) await p.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  expect(leftovers(seenPids, true)).toEqual([]);
});

describe('browser pool faults', () => {
  it('replaces a browser killed -9 under a lease; the lease fails with DriverCrashError', async () => {
    const p = pool();
    const lease = await p.lease();
    await lease.page.goto(`${base}/`, d);
    const pid = pidOf(p);
    process.kill(pid, 'SIGKILL');
    await expect(lease.page.evaluate('document.title', d)).rejects.toBeInstanceOf(DriverCrashError);
    await expect(lease.page.content(d)).rejects.toBeInstanceOf(DriverCrashError);
    await lease.release();
    expect(p.stats().replaced).toBe(1);
    const next = await p.lease();
    await next.page.goto(`${base}/`, d);
    expect(await next.page.evaluate('document.title', d)).toBe('faults');
    expect(pidOf(p)).not.toBe(pid);
    await next.release();
    expect(await waitUntil(() => leftovers([pid]).length === 0)).toBe(true);
  });

  it('replaces a browser that died between leases without failing the next lease', async () => {
    const p = pool();
    const first = await p.lease();
    const pid = pidOf(p);
    await first.release();
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !isAlive(pid));
    const next = await p.lease();
    await next.page.goto(`${base}/`, d);
    expect(pidOf(p)).not.toBe(pid);
    await next.release();
    expect(p.stats().replaced).toBe(1);
  });

  it('closes the page after an operation passes its deadline; the browser stays in service', async () => {
    const p = pool();
    const lease = await p.lease();
    const pid = pidOf(p);
    await lease.page.goto(`${base}/`, d);
    // A click that only waited for its element leaves the page usable (adapters retry clicks).
    await expect(lease.page.click('#absent', { timeoutMs: 500 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await lease.page.evaluate('document.title', d)).toBe('faults');
    await expect(lease.page.goto(`${base}/hold`, { timeoutMs: 1_000 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(lease.page.content(d)).rejects.toThrow(/timed out earlier/);
    expect(p.stats()).toMatchObject({ timedOut: 2, stuckPages: 0 });
    await lease.release();
    const next = await p.lease();
    await next.page.goto(`${base}/`, d);
    expect(pidOf(p)).toBe(pid);
    await next.release();
  });

  it('stops waiting for a driver that ignores a deadline and records the stuck page', async () => {
    const p = pool({ driver: deafDriver(), graceMs: 300 });
    const lease = await p.lease();
    pidOf(p);
    await expect(lease.page.evaluate('1', { timeoutMs: 500 })).rejects.toBeInstanceOf(TimeoutError);
    expect(p.stats()).toMatchObject({ timedOut: 1, stuckPages: 1 });
    await lease.release();
  });

  it('kills the browser when a page close hangs, and serves the next lease from a new one', async () => {
    const p = pool({ closeTimeoutMs: 1_000 });
    const lease = await p.lease();
    await lease.page.goto(`${base}/`, d);
    const pid = pidOf(p);
    freeze(pid);
    await lease.release();
    expect(p.stats()).toMatchObject({ killed: 1, stuckPages: 1 });
    expect(leftovers([pid])).toEqual([]);
    const next = await p.lease();
    await next.page.goto(`${base}/`, d);
    expect(pidOf(p)).not.toBe(pid);
    await next.release();
  });

  it('gives a browser that cannot open a page one more chance, then replaces it', async () => {
    // Generous enough that a fresh browser opens its first page on a loaded CI machine.
    const p = pool({ opTimeoutMs: 4_000, graceMs: 200, closeTimeoutMs: 1_000 });
    const first = await p.lease();
    await first.page.goto(`${base}/`, d);
    await first.release();
    const pid = pidOf(p);
    freeze(pid);
    await expect(p.lease()).rejects.toBeInstanceOf(TimeoutError);
    expect(p.stats()).toMatchObject({ browsers: 1, replaced: 0 });
    await expect(p.lease()).rejects.toBeInstanceOf(DriverCrashError);
    expect(p.stats().replaced).toBe(1);
    expect(leftovers([pid])).toEqual([]);
    const next = await p.lease();
    await next.page.goto(`${base}/`, d);
    expect(pidOf(p)).not.toBe(pid);
    await next.release();
  });

  it('kills a browser whose close hangs when the pool closes', async () => {
    const p = pool({ closeTimeoutMs: 1_000 });
    const lease = await p.lease();
    await lease.page.goto(`${base}/`, d);
    await lease.release();
    const pid = pidOf(p);
    freeze(pid);
    await p.close();
    expect(p.stats().killed).toBe(1);
    expect(leftovers([pid])).toEqual([]);
  });

  it('kills the browsers of a process that exits without closing its pool', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pool-exit-'));
    const script = path.join(dir, 'child.ts');
    writeFileSync(
      script,
      `import { createBrowserPool } from ${JSON.stringify(path.join(root, 'src/core/browser-pool.ts'))};
import { playwrightDriver } from ${JSON.stringify(path.join(root, 'src/drivers/playwright.ts'))};
import { defaultPoolSettings } from ${JSON.stringify(path.join(root, 'test/helpers/pool-settings.ts'))};
const pool = createBrowserPool({ driver: playwrightDriver(), ...defaultPoolSettings, size: 2, pagesPerBrowser: 1 });
await Promise.all([pool.lease(), pool.lease()]);
process.stdout.write(JSON.stringify(pool.stats().pids) + '\\n');
process.exit(0);
`,
    );
    try {
      const child = spawn(path.join(root, 'node_modules/.bin/vite-node'), [script], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      const pids = JSON.parse(out.trim().split('\n').pop()!) as number[];
      expect(pids).toHaveLength(2);
      for (const pid of pids) seenPids.add(pid);
      expect(await waitUntil(() => leftovers(pids).length === 0, 5_000)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
