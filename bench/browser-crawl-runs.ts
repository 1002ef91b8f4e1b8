import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../src/config/schema.js';
import type { Browser, BrowserDriver, BrowserPage } from '../src/core/browser-driver.js';
import { createBrowserPool } from '../src/core/browser-pool.js';
import { trackBrowserPid } from '../src/core/browser-pool-exit.js';
import { ClickInterceptedError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import type { Article } from '../src/core/model.js';
import type { CrawlContext } from '../src/core/site-adapter.js';
import { browserPoolSettings } from '../src/crawler/page-pool.js';
import { playwrightDriver } from '../src/drivers/playwright.js';
import { seleniumDriver } from '../src/drivers/selenium.js';
import { walkLegacyBrowser } from '../src/sites/csdn/legacy-browser-walk.js';
import { DISMISS_OVERLAYS_SCRIPT } from '../src/sites/csdn/overlays.js';
import { csdnUrls } from '../src/sites/csdn/urls.js';
import { memorySampler } from './browser-crawl-memory.js';

// The three runs of bench/browser-crawl.ts (pool, bare, cli) over the replica child's users;
// each returns the same RunResult row.

/** What the bench needs of the replica child: where it is and how long each user's list is. */
export interface BenchReplica {
  url: string;
  usernames: string[];
  articles: Record<string, number>;
  /** Per user, a digest of its article list (ids and counters, in order): the exactness check. */
  digests: Record<string, string>;
  send(message: object): void;
  close(): Promise<void>;
}

/** Legacy list page size the replica serves (and the bench's page counts assume). */
export const PAGE_SIZE = 20;

/** One run's setting: which driver, how many browsers with how many tabs, extra Chromium switches. */
export interface RunPlan {
  driver: string;
  browsers: number;
  tabs: number;
  chromiumArgs: string[];
}

/** A digest of an article list (ids and counters, in order): the exactness check. */
export function digest(articles: Article[]): string {
  const rows = articles.map((a) => [a.articleId, a.title, a.type, a.postTime, a.viewCount, a.commentCount]);
  return createHash('sha1').update(JSON.stringify(rows)).digest('hex');
}

function makeDriver(plan: RunPlan): BrowserDriver {
  const args = plan.chromiumArgs;
  return plan.driver === 'selenium' ? seleniumDriver({ args }) : playwrightDriver({ args });
}

export interface RunResult {
  driver: string;
  mode: string;
  browsers: number;
  tabs: number;
  users: number;
  pages: number;
  failed: number;
  wrong: number;
  seconds: number;
  peakMb: number;
  nodeMb: number;
}

export function expectedPages(replica: BenchReplica, id: string): { pages: number; articles: number } {
  const articles = replica.articles[id] ?? 0;
  return { pages: Math.max(1, Math.ceil(articles / PAGE_SIZE)), articles };
}

/** Run `work` over the ids with `concurrency` workers. */
async function drain(
  ids: string[],
  concurrency: number,
  work: (id: string, worker: number) => Promise<void>,
) {
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) await work(id, worker);
    }),
  );
}

export async function runPool(
  plan: RunPlan,
  replica: BenchReplica,
  ids: string[],
  mode = 'pool',
): Promise<RunResult> {
  const { driver: driverName, browsers, tabs } = plan;
  const driver = makeDriver(plan);
  const settings = configSchema.parse({
    browser: { browsers, pagesPerBrowser: tabs, maxPagesPerBrowser: 1000 },
  });
  const pool = createBrowserPool({ driver, ...browserPoolSettings(settings.browser) });
  const urls = csdnUrls(replica.url);
  const controller = new AbortController();
  const context = {
    page: () => pool.lease(controller.signal),
    canUseBrowser: true,
    signal: controller.signal,
    log: {
      ...silentLogger,
      debug: (message: string) => {
        retries[message] = (retries[message] ?? 0) + 1;
      },
    },
    snapshot: async () => undefined,
    discovery: { enabled: false, maxDepth: 0, maxPerUser: 0 },
    browserMode: 'always',
  } as unknown as CrawlContext;
  const memory = memorySampler(() => pool.stats().pids);
  // The walk logs a debug line for each click it had to repeat: count them per reason.
  const retries: Record<string, number> = {};
  let pages = 0;
  let failed = 0;
  let wrong = 0;
  const start = Date.now();
  await drain(ids, browsers * tabs, async (id) => {
    try {
      const result = await walkLegacyBrowser(id, urls, context, {
        timeoutMs: 15_000,
        loadTimeoutMs: 10_000, // the adapter's default pageLoadTimeoutMs
        pagerTimeoutMs: 8_000,
        clickAttempts: 3,
        maxPages: 1000,
      });
      pages += result.pages;
      if (digest(result.articles) !== replica.digests[id]) wrong++;
    } catch (error) {
      failed++;
      console.error(`  ${id}: ${firstLine(error)}`);
    }
  });
  const seconds = (Date.now() - start) / 1000;
  const peak = memory.stop();
  await pool.close();
  for (const [why, n] of Object.entries(retries)) console.log(`  ${n} × ${why}`);
  return {
    driver: driverName,
    mode,
    browsers,
    tabs,
    users: ids.length,
    pages,
    failed,
    wrong,
    seconds,
    peakMb: peak.total,
    nodeMb: peak.node,
  };
}

/** The limit: same drivers, same tabs, no pool, no guard, no parsing. */
export async function runBare(plan: RunPlan, replica: BenchReplica, ids: string[]): Promise<RunResult> {
  const { driver: driverName, browsers, tabs } = plan;
  const driver = makeDriver(plan);
  const perBrowser = Math.min(tabs, driver.maxOpenPages ?? tabs);
  const browserCount = Math.ceil((browsers * tabs) / perBrowser);
  const launched: Browser[] = [];
  const memory = memorySampler(() => launched.map((b) => b.pid!).filter(Boolean));
  const d = { timeoutMs: 15_000 };
  const start = Date.now();
  for (let i = 0; i < browserCount; i++) {
    const browser = await driver.launch({});
    trackBrowserPid(browser.pid); // killed by the exit hook should the bench die midway
    launched.push(browser);
  }
  const pagesOpen: Array<BrowserPage | undefined> = [];
  const browserOf: Browser[] = [];
  for (const browser of launched) {
    for (let t = 0; t < perBrowser; t++) {
      pagesOpen.push(await browser.newPage({ timeoutMs: 60_000 }));
      browserOf.push(browser);
    }
  }
  const urls = csdnUrls(replica.url);
  let pages = 0;
  let failed = 0;
  await drain(ids, pagesOpen.length, async (id, worker) => {
    const page = pagesOpen[worker];
    if (!page) {
      failed++; // this tab could not be replaced: its share of users fails
      return;
    }
    try {
      const { pages: total } = expectedPages(replica, id);
      await page.goto(urls.legacyList(id, 1), d);
      pages++;
      for (let n = 2; n <= total; n++) {
        const before = await page.url();
        // Overlays may appear late: hide them and click again, as the adapter does.
        for (let attempt = 1; ; attempt++) {
          await page.evaluate(DISMISS_OVERLAYS_SCRIPT, d);
          try {
            await page.click('li.js-page-next', d);
            break;
          } catch (error) {
            if (!(error instanceof ClickInterceptedError) || attempt >= 3) throw error;
          }
        }
        const end = Date.now() + 8_000;
        while ((await page.url()) === before) {
          if (Date.now() > end) throw new Error(`pager stuck at page ${n - 1}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        await page.waitForSelector('li.js-page-next', d);
        pages++;
      }
    } catch (error) {
      failed++;
      console.error(`  ${id}: ${firstLine(error)}`);
      // A failed user may leave a scheduled navigation behind that would hijack the next goto:
      // start the next user on a fresh page, as any careful script would.
      await page.close().catch(() => undefined);
      pagesOpen[worker] = await browserOf[worker].newPage({ timeoutMs: 60_000 }).catch(() => undefined);
    }
  });
  const seconds = (Date.now() - start) / 1000;
  const peak = memory.stop();
  for (const page of pagesOpen) await page?.close().catch(() => undefined);
  for (const browser of launched) await browser.close();
  return {
    driver: driverName,
    mode: 'bare',
    browsers,
    tabs,
    users: ids.length,
    pages,
    failed,
    wrong: 0,
    seconds,
    peakMb: peak.total,
    nodeMb: peak.node,
  };
}

/** The real CLI over the same users: one process of its own, memory = it + its browsers. */
export async function runCli(plan: RunPlan, replica: BenchReplica, ids: string[]): Promise<RunResult> {
  const { driver: driverName, browsers, tabs } = plan;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-browser-cli-'));
  const idsFile = path.join(dir, 'ids.txt');
  writeFileSync(idsFile, `${ids.join('\n')}\n`);
  const config = path.join(dir, 'bench.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      browser: { browsers, pagesPerBrowser: tabs, maxPagesPerBrowser: 1000 },
      politeness: { maxInFlightPerHost: 16, minDelayMs: 0 },
    }),
  );
  const bin = fileURLToPath(new URL('../bin/csdn-crawl.mjs', import.meta.url));
  const start = Date.now();
  const child = spawn(
    process.execPath,
    [
      bin,
      'run',
      '--config',
      config,
      '--data-dir',
      dir,
      '--base-url',
      replica.url,
      '--ids-file',
      idsFile,
      '--driver',
      driverName,
      '--concurrency',
      String(browsers * tabs),
      '--json',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (chunk) => {
    log = (log + chunk).slice(-20_000);
  });
  const memory = memorySampler(() => (child.pid ? [child.pid] : []), child.pid);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = (Date.now() - start) / 1000;
  const peak = memory.stop();
  const failedMatch = (log.match(/"failed":(\d+)/g) ?? []).pop();
  const failed = failedMatch ? Number(failedMatch.split(':')[1]) : code === 0 ? 0 : ids.length;
  if (code !== 0) console.error(`  csdn-crawl run exited ${code}: ${log.slice(-500)}`);
  rmSync(dir, { recursive: true, force: true });
  const pages = ids.reduce((sum, id) => sum + expectedPages(replica, id).pages, 0);
  return {
    driver: driverName,
    mode: 'cli',
    browsers,
    tabs,
    users: ids.length,
    pages: Math.round((pages * (ids.length - failed)) / ids.length),
    failed,
    wrong: 0,
    seconds,
    peakMb: peak.total,
    nodeMb: peak.node,
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
