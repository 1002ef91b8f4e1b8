/**
 * Soak: does a crawler that runs for a long time with browsers in use keep a flat footprint?
 *
 *   vite-node bench/soak.ts --minutes 30
 *   vite-node bench/soak.ts --minutes 30 --watch
 *   vite-node bench/soak.ts --minutes 2 --users 400 --legacy-users 60 --concurrency 6
 *
 * Two replicas in a child process (bench/soak-replicas.ts), and in this process two crawlers
 * built with createCrawler() that share it, so every figure below is the crawler's:
 *   api    — `--users` users of a replica with the `realistic` faults plus the 521 challenge
 *            (a passed cookie works for 150 requests): driver `auto`, so Chromium passes the
 *            challenge again and again and its cookies are reused over HTTP;
 *   legacy — `--legacy-users` users of a legacy-only replica (the 2019 skin, at most 60 articles
 *            each): driver `playwright`, every list walked by clicking 下一页 behind the banner.
 *
 * Classic mode: the replicas are frozen, and neither crawler runs dry: whenever pending gets
 * short, every finished user is queued again (`state.add(ids, { recrawl: true })`), and a run
 * that drained anyway is started again.
 * `--watch`: the replicas live (`--time-scale`, default a replica day per real minute, so
 * counters move, articles come and go, a few users vanish), and each crawler is one
 * `watch: true` run for the whole soak with minute cadences (`--refresh-min`, `--refresh-every`,
 * `--refresh-max`, `--notfound-every`): users come due again and again by themselves, and the
 * crawler sleeps when none is due. It prints first crawls, refreshes, requests served and
 * snapshots stored, so the reader sees the watch did work.
 *
 * Every 10 s it samples (bench/soak-sampler.ts) this process's RSS and heap, its open file
 * descriptors, its active handles, the Chromium processes it started (found by an environment
 * tag they inherit) and their total RSS, and prints growth from the second to the last quarter.
 * One SIGINT/SIGTERM stops the crawlers and prints the figures so far; a second exits at once
 * (the crawler's exit hook kills its browsers). Any tagged Chromium left at the end is killed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../src/core/logger.js';
import { type CsdnCrawler, createCrawler } from '../src/crawler/create-crawler.js';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { type ReplicaStatsPair, serveReplicas, startReplicaChild } from './soak-replicas.js';
import { browserPids, formatSample, growthTable, type Sample, TAG_ENV, takeSample } from './soak-sampler.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function numberArg(name: string, fallback: number, min: number): number {
  const value = Number(arg(name, String(fallback)));
  if (!Number.isFinite(value) || value < min) {
    console.error(`soak: --${name} must be a number >= ${min}, got ${arg(name, '')}`);
    process.exit(2);
  }
  return value;
}

const WATCH = process.argv.includes('--watch');
const SAMPLE_MS = numberArg('sample-ms', 10_000, 100);
const SETUP = {
  users: numberArg('users', WATCH ? 500 : 2000, 1),
  legacyUsers: numberArg('legacy-users', WATCH ? 60 : 150, 1),
  timeScale: WATCH || process.argv.includes('--replica') ? numberArg('time-scale', 1440, 0) : 0,
};
// Watch cadences in minutes (the config's floor): with a replica day per minute, most lively
// users changed at every refresh and come back at `min`, quiet ones back off to `max`.
const REFRESH = {
  min: arg('refresh-min', '2m'),
  every: arg('refresh-every', '4m'),
  max: arg('refresh-max', '8m'),
  notfoundEvery: arg('notfound-every', '8m'),
};

type Name = 'api' | 'legacy';
interface Tally {
  firstCrawls: number;
  refreshes: number;
  notfound: number;
  failed: number;
  /** Times a watching run found nothing pending or due and went to sleep. */
  sleeps: number;
  seen: Set<string>;
}
const newTally = (): Tally => ({
  firstCrawls: 0,
  refreshes: 0,
  notfound: 0,
  failed: 0,
  sleeps: 0,
  seen: new Set(),
});
const LOG = process.argv.includes('--log');

/** Counts the watch's sleeps; with `--log`, prints the crawler's lines (info and up) too. */
function soakLogger(name: Name, tally: Tally, started: number): Logger {
  const line = (level: string) => (message: string) => {
    if (level === 'info' && message.startsWith('watching: nothing pending or due')) tally.sleeps++;
    if (LOG)
      console.log(
        `${String(Math.round((Date.now() - started) / 1000)).padStart(5)}s ${name} ${level}: ${message}`,
      );
  };
  return { debug() {}, info: line('info'), warn: line('warn'), error: line('error') };
}

async function main(): Promise<void> {
  const minutes = numberArg('minutes', 30, 0.1);
  const concurrency = numberArg('concurrency', 6, 1);
  const tag = randomUUID();
  process.env[TAG_ENV] = tag; // inherited by every Chromium the crawlers start
  const replicas = await startReplicaChild(__filename, SETUP);
  const { info } = replicas;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-soak-'));
  let endAt = Date.now() + minutes * 60_000;
  const tallies: Record<Name, Tally> = { api: newTally(), legacy: newTally() };
  const extra = { recrawls: 0, runs: 0 };
  const dueNow: Record<Name, number> = { api: 0, legacy: 0 };
  const failures: string[] = [];
  const crawlers = new Set<CsdnCrawler>();
  const stopAll = () => {
    endAt = Math.min(endAt, Date.now());
    for (const crawler of crawlers) void crawler.stop();
  };
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(130); // the exit hook kills the browsers
    console.log(`${signal}: stopping the crawlers (a second signal exits at once)`);
    stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const snapshotCounts: Record<Name, number> = { api: 0, legacy: 0 };
  const started = Date.now();

  async function crawlUntilEnd(name: Name): Promise<void> {
    const site = info[name];
    const tally = tallies[name];
    const state = await openStateStore(path.join(root, `${name}-state.sqlite`));
    const results = await openResultStore(path.join(root, `${name}-results.sqlite`));
    await state.add(site.usernames, { to: 'pending' });
    // Classic mode only: re-queue every done user whenever pending runs short.
    const topUp = WATCH
      ? undefined
      : setInterval(() => {
          void (async () => {
            if ((await state.counts()).pending >= concurrency * 4) return;
            const done = await state.list('done', { limit: 100_000 });
            await state.add(
              done.map((r) => r.id),
              { recrawl: true },
            );
            extra.recrawls++;
          })().catch((error) => console.error(`top-up ${name}:`, error));
        }, 2000);
    const dueWatch = WATCH
      ? setInterval(() => {
          void state.dueSummary().then((d) => {
            dueNow[name] = d.dueNow;
          });
        }, SAMPLE_MS)
      : undefined;
    const stopTimer = setTimeout(stopAll, Math.max(0, endAt - Date.now()));
    const count = (id: string) => {
      if (tally.seen.has(id)) tally.refreshes++;
      else {
        tally.seen.add(id);
        tally.firstCrawls++;
      }
    };
    try {
      // A watching run lasts the whole soak; the loop starts a new one only if a run ended early.
      while (Date.now() < endAt) {
        const crawler = createCrawler({
          baseUrl: site.url,
          dataDir: path.join(root, name),
          stateStore: state,
          resultStore: results,
          workerId: `soak-${name}`,
          concurrency: name === 'legacy' ? Math.min(concurrency, 4) : concurrency,
          driver: name === 'legacy' ? 'playwright' : 'auto',
          browser: { executablePath: '/usr/bin/chromium', browsers: 1, pagesPerBrowser: 2 },
          politeness: { maxInFlightPerHost: 6, minDelayMs: 10 },
          retries: { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 2000 },
          requestTimeoutMs: 5000,
          logger: soakLogger(name, tally, started),
          ...(WATCH ? { watch: true, refresh: REFRESH } : {}),
        });
        crawler.on('userDone', (e) => count(e.id));
        crawler.on('userNotFound', (e) => {
          count(e.id);
          tally.notfound++;
        });
        crawler.on('userFailed', (e) => {
          tally.failed++;
          if (failures.length < 20) failures.push(`${name} ${e.id}: ${e.reason}`);
        });
        crawlers.add(crawler);
        extra.runs++;
        try {
          await crawler.run();
        } finally {
          crawlers.delete(crawler);
        }
      }
      snapshotCounts[name] = (await results.counts()).snapshots;
    } finally {
      clearInterval(topUp);
      clearInterval(dueWatch);
      clearTimeout(stopTimer);
      await state.close();
      await results.close();
    }
  }

  const samples: Sample[] = [];
  const crawled = (t: Tally) => `${t.firstCrawls}+${t.refreshes}r`;
  const sampler = setInterval(() => {
    const { api, legacy } = tallies;
    const s = takeSample(
      tag,
      started,
      api.firstCrawls + api.refreshes + legacy.firstCrawls + legacy.refreshes,
    );
    samples.push(s);
    const watching = WATCH ? ` due now api=${dueNow.api} legacy=${dueNow.legacy}` : '';
    console.log(
      `${formatSample(s)} crawled api=${crawled(api)} legacy=${crawled(legacy)} notfound=${api.notfound + legacy.notfound} failed=${api.failed + legacy.failed}${watching}`,
    );
  }, SAMPLE_MS);
  let stats: ReplicaStatsPair | undefined;
  try {
    await Promise.all([crawlUntilEnd('api'), crawlUntilEnd('legacy')]);
    stats = await replicas.stats();
  } finally {
    clearInterval(sampler);
    replicas.close();
  }

  const mode = WATCH
    ? `watch, living replicas at ${SETUP.timeScale}x, refresh min ${REFRESH.min} every ${REFRESH.every} max ${REFRESH.max} notfound ${REFRESH.notfoundEvery}`
    : 'classic (frozen replicas, recrawl top-ups)';
  const ranFor = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`\nsoak: ${ranFor} of ${minutes} min, ${mode}`);
  const gc = (globalThis as { gc?: unknown }).gc ? ', each after a full GC (--expose-gc)' : '';
  console.log(`${samples.length} samples every ${SAMPLE_MS / 1000} s${gc}, concurrency ${concurrency}`);
  for (const name of ['api', 'legacy'] as const) {
    const t = tallies[name];
    const s = stats?.[name];
    const refreshed = WATCH ? `${t.refreshes} refreshes` : `${t.refreshes} recrawls`;
    console.log(
      `${name}: ${info[name].usernames.length} users, ${t.firstCrawls} first crawls, ${refreshed}, ${t.notfound} not found, ${t.failed} failed, ${t.sleeps} watch sleeps; ${s?.total ?? '?'} requests served (${JSON.stringify(s?.endpoints ?? {})}, faults ${JSON.stringify(s?.faults ?? {})}); ${snapshotCounts[name]} profile snapshots stored`,
    );
  }
  console.log(`recrawl top-ups ${extra.recrawls}; crawler runs ${extra.runs}`);
  for (const line of growthTable(samples)) console.log(line);
  for (const f of failures) console.log(`failed: ${f}`);
  await new Promise((r) => setTimeout(r, 1000));
  const left = browserPids(tag);
  console.log(`browser processes left after the crawlers stopped: ${left.length}`);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL'); // the soak must never leave a Chromium behind
    } catch {
      // gone meanwhile
    }
  }
  rmSync(root, { recursive: true, force: true });
  process.exit(signals > 0 ? 130 : 0);
}

if (process.argv.includes('--replica')) void serveReplicas(SETUP);
else
  main().catch((error) => {
    console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
