/**
 * Browser crawl benchmark: how many users and pages per minute the browser layer walks, and
 * what it costs in memory, for 1, 2 and 4 browsers with each driver.
 *
 *   npx vite-node bench/browser-crawl.ts
 *   npx vite-node bench/browser-crawl.ts -- --users 100 --tabs 2 --browsers 1,2,4 --drivers playwright,selenium
 *   npx vite-node bench/browser-crawl.ts -- --users 40 --max-user-pages 20 --modes pool,bare
 *   BENCH_CHROMIUM_ARGS="--disable-extensions" npx vite-node bench/browser-crawl.ts -- --drivers playwright
 *   npx vite-node bench/browser-crawl.ts -- --faults realistic --long-users 12 --users 12 --browsers 1 --modes pool
 *
 * Two runs per driver and browser count, over the local CSDN replica in legacy-only mode (every
 * user must be walked by clicking 下一页, the old skin's script-driven pager, behind an overlay):
 *   pool  — the real path: createBrowserPool + the CSDN adapter's browser walk (guards, parsing,
 *           overlay dismissal, URL-change checks), `browsers × tabs` users at once;
 *   bare  — the limit: the same drivers and pages with the same number of tabs, a bare loop that
 *           loads page 1, hides the overlay and clicks through the known number of pages;
 *   cli   — (with --modes …,cli) the whole product: `csdn-crawl run --driver <d>` of the built CLI
 *           (npx tsup first) in a process of its own, stores included; its memory is that
 *           process plus its browsers, i.e. what a Raspberry Pi would have to hold.
 * With --faults realistic, every pool run is made twice on the same replica: clean, then with
 * the realistic faults on every request (5xx and 429 pages, resets, blank and stale list pages,
 * hangs, slow bodies; no articles published mid-walk, so every user can be checked exactly
 * against the replica's list), and a last table puts the two side by side. --long-users N gives
 * the first N users 800-1200 articles (40-60 list pages, the 971-article user).
 * Memory is the peak PSS (from /proc/<pid>/smaps_rollup) of this Node process plus every process
 * of every browser tree, sampled every 250 ms. The replica runs in a child process of its own:
 * it plays the site, and its memory is not the crawler's. Needs /usr/bin/chromium and
 * /usr/bin/chromedriver. Prints one line per run and a Markdown table at the end.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserDriver, BrowserPage } from '../src/core/browser-driver.js';
import { createBrowserPool } from '../src/core/browser-pool.js';
import { trackBrowserPid } from '../src/core/browser-pool-exit.js';
import { ClickInterceptedError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import type { Article } from '../src/core/model.js';
import type { CrawlContext } from '../src/core/site-adapter.js';
import { treeMembers } from '../src/drivers/chromium-process.js';
import { playwrightDriver } from '../src/drivers/playwright.js';
import { seleniumDriver } from '../src/drivers/selenium.js';
import { walkLegacyBrowser } from '../src/sites/csdn/legacy-browser-walk.js';
import { DISMISS_OVERLAYS_SCRIPT } from '../src/sites/csdn/overlays.js';
import { csdnUrls } from '../src/sites/csdn/urls.js';
import { FAULT_PRESETS } from '../src/testing/replica/faults.js';
import { isReplicaRole, serveToParent, startReplicaProcess } from './replica-process.js';

/** What the bench needs of the replica child: where it is and how long each user's list is. */
interface Replica {
  url: string;
  usernames: string[];
  articles: Record<string, number>;
  /** Per user, a digest of its article list (ids and counters, in order): the exactness check. */
  digests: Record<string, string>;
  send(message: object): void;
  close(): Promise<void>;
}

const PAGE_SIZE = 20;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const USERS = Number(arg('users', '100'));
const TABS = Number(arg('tabs', '2'));
const BROWSERS = arg('browsers', '1,2,4').split(',').map(Number);
const DRIVERS = arg('drivers', 'playwright,selenium').split(',');
const MODES = arg('modes', 'pool,bare').split(',') as Array<'pool' | 'bare' | 'cli'>;
/** Skip users with more list pages than this (one 129-page user otherwise dominates small runs). */
const MAX_USER_PAGES = Number(arg('max-user-pages', 'Infinity'));
const FAULTS = arg('faults', 'none');
const LONG_USERS = Number(arg('long-users', '0'));

/** The realistic preset on every request, plus blank and stale pages; nothing published mid-walk. */
const BENCH_FAULTS = {
  ...FAULT_PRESETS.realistic,
  throttleBare: 0.5,
  blank: 0.003,
  wrongPage: 0.003,
  publishMidWalk: 0,
};

function digest(articles: Article[]): string {
  const rows = articles.map((a) => [a.articleId, a.title, a.type, a.postTime, a.viewCount, a.commentCount]);
  return createHash('sha1').update(JSON.stringify(rows)).digest('hex');
}

/** Extra Chromium switches for both runs, to try one out: BENCH_CHROMIUM_ARGS="--foo --bar". */
const EXTRA_ARGS = (process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);

function makeDriver(name: string): BrowserDriver {
  return name === 'selenium' ? seleniumDriver({ args: EXTRA_ARGS }) : playwrightDriver({ args: EXTRA_ARGS });
}

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples Node + browser trees until stopped; returns the peak in MB. */
function memorySampler(
  browserPids: () => number[],
  nodePid = process.pid,
): { stop: () => { total: number; node: number } } {
  let peak = 0;
  let nodePeak = 0;
  const sample = () => {
    const nodeKb = pssKb(nodePid);
    nodePeak = Math.max(nodePeak, nodeKb);
    let kb = nodeKb;
    const seen = new Set<number>([nodePid]);
    for (const root of browserPids()) {
      for (const pid of treeMembers(root)) {
        if (seen.has(pid)) continue;
        seen.add(pid);
        kb += pssKb(pid);
      }
    }
    peak = Math.max(peak, kb);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { total: peak / 1024, node: nodePeak / 1024 };
    },
  };
}

interface RunResult {
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

function expectedPages(replica: Replica, id: string): { pages: number; articles: number } {
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

async function runPool(
  driverName: string,
  browsers: number,
  replica: Replica,
  ids: string[],
  mode = 'pool',
): Promise<RunResult> {
  const driver = makeDriver(driverName);
  const pool = createBrowserPool({ driver, size: browsers, pagesPerBrowser: TABS, maxPagesPerBrowser: 1000 });
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
  await drain(ids, browsers * TABS, async (id) => {
    try {
      const result = await walkLegacyBrowser(id, urls, context, {
        timeoutMs: 15_000,
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
    tabs: TABS,
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
async function runBare(
  driverName: string,
  browsers: number,
  replica: Replica,
  ids: string[],
): Promise<RunResult> {
  const driver = makeDriver(driverName);
  const perBrowser = Math.min(TABS, driver.maxOpenPages ?? TABS);
  const browserCount = Math.ceil((browsers * TABS) / perBrowser);
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
    tabs: TABS,
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
async function runCli(
  driverName: string,
  browsers: number,
  replica: Replica,
  ids: string[],
): Promise<RunResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-browser-cli-'));
  const idsFile = path.join(dir, 'ids.txt');
  writeFileSync(idsFile, `${ids.join('\n')}\n`);
  const config = path.join(dir, 'bench.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      browser: { browsers, pagesPerBrowser: TABS, maxPagesPerBrowser: 1000 },
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
      String(browsers * TABS),
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
    tabs: TABS,
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

function line(r: RunResult): string {
  const perMin = (n: number) => ((n * 60) / r.seconds).toFixed(0);
  return `| ${r.driver} | ${r.mode} | ${r.browsers} | ${r.tabs} | ${perMin(r.users - r.failed)} | ${perMin(r.pages)} | ${r.peakMb.toFixed(0)} (${r.nodeMb.toFixed(0)}) | ${r.failed}/${r.wrong} | ${r.seconds.toFixed(1)} |`;
}

async function serveReplica(): Promise<void> {
  const { startReplica } = await import('../src/testing/replica/index.js');
  const long = Number(process.env.BENCH_LONG_USERS ?? '0');
  const replica = await startReplica({
    users: Math.max(100, USERS),
    legacyOnly: true,
    legacyPageSize: PAGE_SIZE,
    ...(long > 0 ? { longUsers: { count: long, articles: [800, 1200] as [number, number] } } : {}),
  });
  const articles: Record<string, number> = {};
  const digests: Record<string, string> = {};
  for (const id of replica.usernames) {
    const truth = replica.truth(id)?.articles ?? [];
    articles[id] = truth.length;
    digests[id] = digest(truth);
  }
  process.on('message', (message) => {
    const m = message as { faults?: Parameters<typeof replica.setFaults>[0] };
    if (m && typeof m === 'object' && m.faults) replica.setFaults(m.faults);
  });
  serveToParent(replica, { url: replica.url, usernames: replica.usernames, articles, digests });
}

async function main(): Promise<void> {
  const replica: Replica = await startReplicaProcess<Omit<Replica, 'close' | 'send'>>(
    fileURLToPath(import.meta.url),
    { BENCH_LONG_USERS: String(LONG_USERS) },
  );
  const ids = replica.usernames
    .filter((id) => expectedPages(replica, id).pages <= MAX_USER_PAGES)
    .slice(0, USERS);
  const totalPages = ids.reduce((sum, id) => sum + expectedPages(replica, id).pages, 0);
  console.log(`${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)} at start`);
  console.log(
    `replica ${replica.url}: ${ids.length} users, ${totalPages} legacy list pages; ${TABS} tabs per browser`,
  );
  const results: RunResult[] = [];
  try {
    for (const driver of DRIVERS) {
      for (const browsers of BROWSERS) {
        for (const mode of MODES) {
          const r =
            mode === 'pool'
              ? await runPool(driver, browsers, replica, ids)
              : mode === 'cli'
                ? await runCli(driver, browsers, replica, ids)
                : await runBare(driver, browsers, replica, ids);
          results.push(r);
          console.log(`${line(r)} load ${os.loadavg()[0].toFixed(1)}`);
          if (mode === 'pool' && FAULTS === 'realistic') {
            replica.send({ faults: BENCH_FAULTS });
            const faulty = await runPool(driver, browsers, replica, ids, 'pool+faults');
            replica.send({ faults: 'none' });
            results.push(faulty);
            console.log(`${line(faulty)} load ${os.loadavg()[0].toFixed(1)}`);
          }
        }
      }
    }
  } finally {
    await replica.close();
  }
  console.log(
    '\n| driver | run | browsers | tabs | users/min | pages/min | peak PSS MB: Node + browsers (Node alone) | failed/wrong | seconds |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(line(r));
  if (FAULTS === 'realistic') {
    console.log(
      '\n| driver | browsers | clean users/min | with faults users/min | ratio | exact users with faults |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const faulty of results.filter((r) => r.mode === 'pool+faults')) {
      const clean = results.find(
        (r) => r.mode === 'pool' && r.driver === faulty.driver && r.browsers === faulty.browsers,
      );
      if (!clean) continue;
      const rate = (r: RunResult) => ((r.users - r.failed) * 60) / r.seconds;
      console.log(
        `| ${faulty.driver} | ${faulty.browsers} | ${rate(clean).toFixed(1)} | ${rate(faulty).toFixed(1)} | ${(rate(faulty) / rate(clean)).toFixed(2)} | ${faulty.users - faulty.failed - faulty.wrong}/${faulty.users} |`,
      );
    }
  }
}

(isReplicaRole() ? serveReplica() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
