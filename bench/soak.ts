/**
 * Soak: does a crawler that runs for a long time with browsers in use keep a flat footprint?
 *
 *   npx vite-node bench/soak.ts --minutes 30
 *   npx vite-node bench/soak.ts --minutes 2 --users 400 --legacy-users 60 --concurrency 6
 *
 * Two replicas in a child process (this same file with --replica), and in this process two
 * crawlers built with createCrawler() that share it, so every figure below is the crawler's:
 *   api    — `--users` users of a replica with the `realistic` faults plus the 521 challenge
 *            (a passed cookie works for 150 requests): driver `auto`, so Chromium passes the
 *            challenge again and again and its cookies are reused over HTTP;
 *   legacy — `--legacy-users` users of a legacy-only replica (the 2019 skin, at most 60 articles
 *            each): driver `playwright`, every list walked by clicking 下一页 behind the banner.
 * Neither runs dry: whenever pending gets short, every finished user is queued again
 * (`state.add(ids, { recrawl: true })`), and a run that drained anyway is started again.
 *
 * Every 10 s it samples this process's RSS and heap, its open file descriptors
 * (/proc/self/fd), its active handles (process.getActiveResourcesInfo().length), the Chromium
 * processes it started (found by an environment tag they inherit) and their total RSS. At the
 * end it prints the mean of each figure over the second quarter and over the last quarter of
 * the run and the growth between them (the first quarter is warm-up: caches, JIT, pools).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { StateStore } from '../src/core/state-store.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { hasEnv, listProcs } from '../src/drivers/chromium-process.js';
import { openResultStore, openStateStore } from '../src/stores/open.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const TAG_ENV = 'CSDN_SOAK_RUN';
const SAMPLE_MS = Number(arg('sample-ms', '10000'));

interface ReplicaInfo {
  api: { url: string; usernames: string[] };
  legacy: { url: string; usernames: string[] };
}

/** Child mode: serve both replicas until stdin closes, print where they listen as one JSON line. */
async function serveReplicas(): Promise<void> {
  const { FAULT_PRESETS, startReplica } = await import('../src/testing/replica/index.js');
  const api = await startReplica({
    users: Number(arg('users', '2000')),
    seed: 61,
    faults: { ...FAULT_PRESETS.realistic, challenge: true, challengeCookieUses: 150 },
  });
  const legacy = await startReplica({
    users: Number(arg('legacy-users', '150')),
    seed: 62,
    legacyOnly: true,
    maxArticlesPerUser: 60,
  });
  const info: ReplicaInfo = {
    api: { url: api.url, usernames: api.usernames },
    legacy: { url: legacy.url, usernames: legacy.usernames },
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void Promise.all([api.close(), legacy.close()]).then(() => process.exit(0));
  });
}

function startReplicaChild(): Promise<{ child: ChildProcess; info: ReplicaInfo }> {
  const viteNode = path.resolve(__dirname, '../node_modules/.bin/vite-node');
  const child = spawn(
    viteNode,
    [__filename, '--replica', '--users', arg('users', '2000'), '--legacy-users', arg('legacy-users', '150')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve({ child, info: JSON.parse(line) as ReplicaInfo });
    });
    child.once('exit', (code) => reject(new Error(`replica child exited with ${code}`)));
  });
}

interface Sample {
  t: number;
  rssMb: number;
  heapMb: number;
  fds: number;
  handles: number;
  browsers: number;
  browserRssMb: number;
  done: number;
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function browserPids(tag: string): number[] {
  return listProcs()
    .filter((p) => p.state !== 'Z' && p.state !== 'X' && /chrom/i.test(p.comm) && hasEnv(p.pid, TAG_ENV, tag))
    .map((p) => p.pid);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

async function main(): Promise<void> {
  const minutes = Number(arg('minutes', '30'));
  const concurrency = Number(arg('concurrency', '6'));
  const tag = randomUUID();
  process.env[TAG_ENV] = tag; // inherited by every Chromium the crawlers start
  const { child, info } = await startReplicaChild();
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-soak-'));
  const endAt = Date.now() + minutes * 60_000;
  const counters = { api: 0, legacy: 0, failed: 0, recrawls: 0, runs: 0 };
  const failures: string[] = [];

  async function crawlForever(name: 'api' | 'legacy'): Promise<void> {
    const site = info[name];
    const dataDir = path.join(root, name);
    const state: StateStore = await openStateStore(path.join(root, `${name}-state.sqlite`));
    const results = await openResultStore(path.join(root, `${name}-results.sqlite`));
    await state.add(site.usernames, { to: 'pending' });
    let current: ReturnType<typeof createCrawler> | undefined;
    const topUp = setInterval(() => {
      void (async () => {
        const c = await state.counts();
        if (c.pending >= concurrency * 4) return;
        const done = await state.list('done', { limit: 100_000 });
        await state.add(
          done.map((r) => r.id),
          { recrawl: true },
        );
        counters.recrawls++;
      })().catch((error) => console.error(`top-up ${name}:`, error));
    }, 2000);
    const stopTimer = setTimeout(() => void current?.stop(), Math.max(0, endAt - Date.now()));
    try {
      while (Date.now() < endAt) {
        current = createCrawler({
          baseUrl: site.url,
          dataDir,
          stateStore: state,
          resultStore: results,
          workerId: `soak-${name}`,
          concurrency: name === 'legacy' ? Math.min(concurrency, 4) : concurrency,
          driver: name === 'legacy' ? 'playwright' : 'auto',
          browser: { executablePath: '/usr/bin/chromium', browsers: 1, pagesPerBrowser: 2 },
          politeness: { maxInFlightPerHost: 6, minDelayMs: 10 },
          retries: { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 2000 },
          requestTimeoutMs: 5000,
        });
        current.on('userDone', () => counters[name]++);
        current.on('userFailed', (e) => {
          counters.failed++;
          if (failures.length < 20) failures.push(`${name} ${e.id}: ${e.reason}`);
        });
        counters.runs++;
        await current.run();
      }
    } finally {
      clearInterval(topUp);
      clearTimeout(stopTimer);
      await state.close();
      await results.close();
    }
  }

  const samples: Sample[] = [];
  const started = Date.now();
  const sample = () => {
    const pids = browserPids(tag);
    const s: Sample = {
      t: Math.round((Date.now() - started) / 1000),
      rssMb: process.memoryUsage().rss / 2 ** 20,
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
      fds: readdirSync('/proc/self/fd').length,
      handles: process.getActiveResourcesInfo().length,
      browsers: pids.length,
      browserRssMb: pids.reduce((sum, pid) => sum + rssKb(pid), 0) / 1024,
      done: counters.api + counters.legacy,
    };
    samples.push(s);
    console.log(
      `t=${String(s.t).padStart(5)}s rss=${s.rssMb.toFixed(1)}MB heap=${s.heapMb.toFixed(1)}MB fds=${s.fds} handles=${s.handles} browsers=${s.browsers} (${s.browserRssMb.toFixed(0)}MB) done api=${counters.api} legacy=${counters.legacy} failed=${counters.failed}`,
    );
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  try {
    await Promise.all([crawlForever('api'), crawlForever('legacy')]);
  } finally {
    clearInterval(sampler);
    child.stdin?.end();
  }

  const n = samples.length;
  const q2 = samples.slice(Math.floor(n / 4), Math.floor(n / 2));
  const q4 = samples.slice(Math.floor((3 * n) / 4));
  const keys = ['rssMb', 'heapMb', 'fds', 'handles', 'browsers', 'browserRssMb'] as const;
  console.log(`\nsoak: ${minutes} min, ${n} samples every ${SAMPLE_MS / 1000} s, concurrency ${concurrency}`);
  console.log(
    `users done: api ${counters.api}, legacy (browser walks) ${counters.legacy}; failed ${counters.failed}; recrawl top-ups ${counters.recrawls}; runs ${counters.runs}`,
  );
  console.log('| figure | mean, 2nd quarter | mean, last quarter | growth |');
  console.log('|---|---|---|---|');
  for (const key of keys) {
    const a = mean(q2.map((s) => s[key]));
    const b = mean(q4.map((s) => s[key]));
    const growth = a === 0 ? 0 : ((b - a) / a) * 100;
    console.log(
      `| ${key} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % |`,
    );
  }
  for (const f of failures) console.log(`failed: ${f}`);
  await new Promise((r) => setTimeout(r, 1000));
  const left = browserPids(tag);
  console.log(`browser processes left after the crawlers stopped: ${left.length}`);
  rmSync(root, { recursive: true, force: true });
  process.exit(0);
}

if (process.argv.includes('--replica')) void serveReplicas();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
