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

import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { FAULT_PRESETS } from '../src/testing/replica/faults.js';
import {
  type BenchReplica,
  digest,
  expectedPages,
  PAGE_SIZE,
  type RunPlan,
  type RunResult,
  runBare,
  runCli,
  runPool,
} from './browser-crawl-runs.js';
import { isReplicaRole, serveToParent, startReplicaProcess } from './replica-process.js';

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

/** Extra Chromium switches for both runs, to try one out: BENCH_CHROMIUM_ARGS="--foo --bar". */
const EXTRA_ARGS = (process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);

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
  const replica: BenchReplica = await startReplicaProcess<Omit<BenchReplica, 'close' | 'send'>>(
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
        const plan: RunPlan = { driver, browsers, tabs: TABS, chromiumArgs: EXTRA_ARGS };
        for (const mode of MODES) {
          const r =
            mode === 'pool'
              ? await runPool(plan, replica, ids)
              : mode === 'cli'
                ? await runCli(plan, replica, ids)
                : await runBare(plan, replica, ids);
          results.push(r);
          console.log(`${line(r)} load ${os.loadavg()[0].toFixed(1)}`);
          if (mode === 'pool' && FAULTS === 'realistic') {
            replica.send({ faults: BENCH_FAULTS });
            const faulty = await runPool(plan, replica, ids, 'pool+faults');
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
