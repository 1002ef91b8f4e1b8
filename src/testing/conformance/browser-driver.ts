/**
 * The BrowserDriver conformance suite: every driver (playwright, selenium, yours) runs the same
 * tests against a real Chromium and a tiny local HTTP server, like Keyv's @keyv/test-suite.
 *
 *   browserDriverConformance('mine', () => myDriver(), { launchOptions: { executablePath } });
 *
 * Beyond the happy path it checks the failures a long crawl meets: a page that never finishes
 * loading, a click eaten by an overlay, a browser killed under a page, and that nothing the
 * driver started is left running afterwards.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserDriver, BrowserPage, LaunchOptions } from '../../core/browser-driver.js';
import { ClickInterceptedError, DriverCrashError, TimeoutError } from '../../core/errors.js';
import { hasEnv, listProcs, readCmdline, treeMembers } from '../../drivers/chromium-process.js';

export interface BrowserDriverCapabilities {
  /** Passed to every launch (executablePath, driverPath, args ...). */
  launchOptions?: LaunchOptions;
  /** goto reports the main document's HTTP status (default true). */
  httpStatus?: boolean;
}

/** Set in this process's environment so every process a driver spawns inherits it. */
const SUITE_ENV = 'CSDN_CRAWL_CONFORMANCE_RUN';

const PAGE = `<!doctype html><html><head><title>conformance</title></head><body>
<h1 id="title">Conformance page</h1>
<button id="btn" onclick="document.getElementById('out').textContent = 'clicked'">Click me</button>
<p id="out"></p>
<div id="hidden" style="display:none">hidden</div>
<script>setTimeout(() => { const d = document.createElement('div'); d.id = 'late'; d.textContent = 'late'; document.body.appendChild(d); }, 300);</script>
</body></html>`;

const OVERLAY = `<!doctype html><html><body>
<button id="under" onclick="document.title = 'clicked'">Under the overlay</button>
<div id="overlay" style="position:fixed;top:0;left:0;width:100%;height:100%;background:rgba(0,0,0,.5);z-index:10">login to continue</div>
</body></html>`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The local site the suite browses. /hold never answers, like a wedged server. */
async function startServer(): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const html = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(body);
    };
    if (path === '/hold') return; // the response never comes
    if (path === '/page') return html(200, PAGE);
    if (path === '/overlay') return html(200, OVERLAY);
    if (path === '/set-cookie')
      return html(200, '<p>cookie set</p>', { 'set-cookie': 'from_server=out; Path=/' });
    if (path === '/echo-cookies') {
      return html(200, `<pre id="cookies">${escapeHtml(req.headers.cookie ?? '')}</pre>`);
    }
    return html(404, '<h1>not found</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Live (non-zombie) processes this suite's drivers started: by process group or inherited tag. */
function leftovers(rootPids: Iterable<number>, runTag: string): number[] {
  const roots = new Set(rootPids);
  return listProcs()
    .filter((p) => p.state !== 'Z' && p.state !== 'X')
    .filter((p) => roots.has(p.pid) || roots.has(p.pgid) || hasEnv(p.pid, SUITE_ENV, runTag))
    .map((p) => p.pid);
}

/** The Chromium browser process of a tree (the one with a profile and no --type) and its profile. */
function chromiumOf(browser: Browser): { pid: number; profile: string } | undefined {
  for (const pid of treeMembers(browser.pid!)) {
    const args = readCmdline(pid);
    const profile = args.find((a) => a.startsWith('--user-data-dir='));
    if (profile && !args.some((a) => a.startsWith('--type='))) {
      return { pid, profile: profile.slice('--user-data-dir='.length) };
    }
  }
  return undefined;
}

async function elapsed<T>(work: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const start = Date.now();
  try {
    await work();
    return { ms: Date.now() - start, error: undefined };
  } catch (error) {
    return { ms: Date.now() - start, error };
  }
}

export function browserDriverConformance(
  name: string,
  makeDriver: () => BrowserDriver | Promise<BrowserDriver>,
  capabilities: BrowserDriverCapabilities = {},
): void {
  describe(`BrowserDriver conformance: ${name}`, () => {
    const runTag = randomUUID();
    const launched = new Set<number>();
    const browsers: Browser[] = [];
    let server: { base: string; close: () => Promise<void> };
    let driver: BrowserDriver;
    let shared: Browser;
    const d = { timeoutMs: 15_000 };

    async function launch(): Promise<Browser> {
      const browser = await driver.launch(capabilities.launchOptions ?? {});
      browsers.push(browser);
      if (browser.pid) launched.add(browser.pid);
      return browser;
    }

    /** A page on the shared browser, closed after `use`. */
    async function withPage(use: (page: BrowserPage) => Promise<void>): Promise<void> {
      const page = await shared.newPage(d);
      try {
        await use(page);
      } finally {
        await page.close();
      }
    }

    beforeAll(async () => {
      process.env[SUITE_ENV] = runTag;
      server = await startServer();
      driver = await makeDriver();
      shared = await launch();
    });

    afterAll(async () => {
      for (const browser of browsers) await browser.kill();
      await server?.close();
      expect(leftovers(launched, runTag)).toEqual([]);
    });

    it('launches a connected browser with a pid and a profile of its own', () => {
      expect(typeof driver.name).toBe('string');
      expect(shared.pid).toBeGreaterThan(0);
      expect(shared.isConnected()).toBe(true);
      const chromium = chromiumOf(shared);
      expect(chromium).toBeDefined();
      expect(existsSync(chromium!.profile)).toBe(true);
    });

    it('goes to a URL within its deadline and reports the status and the current URL', async () => {
      await withPage(async (page) => {
        const ok = await page.goto(`${server.base}/page`, d);
        expect(await page.url()).toBe(`${server.base}/page`);
        const missing = await page.goto(`${server.base}/missing`, d);
        expect(await page.url()).toBe(`${server.base}/missing`);
        if (capabilities.httpStatus !== false) {
          expect(ok.status).toBe(200);
          expect(missing.status).toBe(404);
        }
      });
    });

    it('reads the content and evaluates expressions, awaiting promises', async () => {
      await withPage(async (page) => {
        await page.goto(`${server.base}/page`, d);
        expect(await page.content(d)).toContain('<h1 id="title">Conformance page</h1>');
        expect(await page.evaluate<string>('document.title', d)).toBe('conformance');
        expect(await page.evaluate<number>('1 + 2', d)).toBe(3);
        expect(await page.evaluate<number[]>('Promise.resolve([4, 5])', d)).toEqual([4, 5]);
        expect(await page.evaluate('({ a: { b: "c" } })', d)).toEqual({ a: { b: 'c' } });
      });
    });

    it('clicks an element', async () => {
      await withPage(async (page) => {
        await page.goto(`${server.base}/page`, d);
        await page.click('#btn', d);
        expect(await page.evaluate<string>("document.getElementById('out').textContent", d)).toBe('clicked');
      });
    });

    it('waits for a selector: late elements, hidden ones, and false at the deadline', async () => {
      await withPage(async (page) => {
        await page.goto(`${server.base}/page`, d);
        expect(await page.waitForSelector('#late', { timeoutMs: 10_000, visible: true })).toBe(true);
        expect(await page.waitForSelector('#hidden', { timeoutMs: 2_000 })).toBe(true);
        expect(await page.waitForSelector('#hidden', { timeoutMs: 500, visible: true })).toBe(false);
        expect(await page.waitForSelector('#never-there', { timeoutMs: 500 })).toBe(false);
      });
    });

    it('hands cookies out and takes them in', async () => {
      await withPage(async (page) => {
        await page.goto(`${server.base}/set-cookie`, d);
        const cookies = await page.cookies();
        expect(cookies).toContainEqual(expect.objectContaining({ name: 'from_server', value: 'out' }));
      });
      await withPage(async (page) => {
        await page.setCookies([{ name: 'given', value: 'in-value' }], server.base);
        await page.goto(`${server.base}/echo-cookies`, d);
        const echoed = await page.evaluate<string>("document.getElementById('cookies').textContent", d);
        expect(echoed).toContain('given=in-value');
      });
    });

    it('takes a PNG screenshot', async () => {
      await withPage(async (page) => {
        await page.goto(`${server.base}/page`, d);
        const png = await page.screenshot(d);
        expect(png).toBeInstanceOf(Uint8Array);
        expect(png.length).toBeGreaterThan(100);
        expect([...png.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      });
    });

    it('rejects goto with a TimeoutError at its deadline when the response never comes', async () => {
      await withPage(async (page) => {
        const timeoutMs = 1_500;
        const { ms, error } = await elapsed(() => page.goto(`${server.base}/hold`, { timeoutMs }));
        expect(error).toBeInstanceOf(TimeoutError);
        // Generous: this proves the deadline is honoured, not how fast.
        expect(ms).toBeLessThan(timeoutMs + 5_000);
      });
    });

    it('reports a click intercepted by an overlay as ClickInterceptedError, long before the deadline', async () => {
      await withPage(async (page) => {
        await page.goto(`${server.base}/overlay`, d);
        const timeoutMs = 30_000;
        const { ms, error } = await elapsed(() => page.click('#under', { timeoutMs }));
        expect(error).toBeInstanceOf(ClickInterceptedError);
        expect(ms).toBeLessThan(timeoutMs / 2);
        expect(await page.evaluate<string>('document.title', d)).not.toBe('clicked');
      });
    });

    it('keeps pages apart, or refuses a second page when it supports one at a time', async () => {
      const first = await shared.newPage(d);
      try {
        if ((driver.maxOpenPages ?? Number.POSITIVE_INFINITY) > 1) {
          const second = await shared.newPage(d);
          await Promise.all([first.goto(`${server.base}/page`, d), second.goto(`${server.base}/overlay`, d)]);
          expect(await first.url()).toBe(`${server.base}/page`);
          expect(await second.url()).toBe(`${server.base}/overlay`);
          await second.close();
        } else {
          await expect(shared.newPage(d)).rejects.toThrow();
        }
      } finally {
        await first.close();
      }
      const again = await shared.newPage(d);
      await again.goto(`${server.base}/page`, d);
      await again.close();
    });

    it('rejects operations on a closed page', async () => {
      const page = await shared.newPage(d);
      await page.goto(`${server.base}/page`, d);
      await page.close();
      await page.close(); // twice is fine
      await expect(page.content(d)).rejects.toThrow();
    });

    it('closes gracefully and leaves no process and no profile behind', async () => {
      const browser = await launch();
      const chromium = chromiumOf(browser);
      const page = await browser.newPage(d);
      await page.goto(`${server.base}/page`, d);
      await browser.close();
      expect(browser.isConnected()).toBe(false);
      expect(leftovers([browser.pid!], 'none')).toEqual([]);
      expect(existsSync(chromium!.profile)).toBe(false);
    });

    it('kill() ends the whole process tree and never hangs', async () => {
      const browser = await launch();
      const chromium = chromiumOf(browser);
      const page = await browser.newPage(d);
      await page.goto(`${server.base}/page`, d);
      expect(treeMembers(browser.pid!).length).toBeGreaterThan(1);
      await browser.kill();
      await browser.kill(); // twice is fine
      expect(browser.isConnected()).toBe(false);
      expect(leftovers([browser.pid!], 'none')).toEqual([]);
      expect(existsSync(chromium!.profile)).toBe(false);
    });

    for (const victim of ['the browser pid', "Chromium's main process"] as const) {
      it(`fails the next operation quickly with DriverCrashError when ${victim} is killed -9`, async () => {
        const browser = await launch();
        const page = await browser.newPage(d);
        await page.goto(`${server.base}/page`, d);
        const pid = victim === 'the browser pid' ? browser.pid! : chromiumOf(browser)!.pid;
        process.kill(pid, 'SIGKILL');
        const timeoutMs = 10_000;
        const { ms, error } = await elapsed(() => page.evaluate('document.title', { timeoutMs }));
        expect(error instanceof DriverCrashError || error instanceof TimeoutError).toBe(true);
        expect(ms).toBeLessThan(timeoutMs + 5_000);
        const { error: pageError } = await elapsed(() => browser.newPage({ timeoutMs: 5_000 }));
        expect(pageError instanceof DriverCrashError || pageError instanceof TimeoutError).toBe(true);
        await browser.kill();
        expect(leftovers([browser.pid!], 'none')).toEqual([]);
      });
    }
  });
}
