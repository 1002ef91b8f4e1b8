/**
 * HTTP crawl against the limit and the peer, side by side, in one run on one replica.
 *
 *   node_modules/.bin/vite-node bench/http-crawl.ts
 *   BENCH_USERS=300 BENCH_CAP=8 BENCH_LATENCY=30 BENCH_FAULTS=realistic BENCH_ROUNDS=2 node_modules/.bin/vite-node bench/http-crawl.ts
 *
 * One replica (a child process: its CPU is not counted) serves every job: faults `realistic` by
 * default (5xx, 429, hangs, resets, drips, the bot wall, and articles published while a list
 * is walked) with BENCH_LATENCY ms per answer. After a warm-up crawl (the replica builds users
 * lazily), each round runs, each in a child process of its own (its CPU and peak RSS are its
 * own), with the same in-flight cap BENCH_CAP:
 *   limit       a bare loop over the minimal URLs of every user (home + the list pages the
 *               minimum counts), nothing parsed, no retry (bench/http-crawl-jobs.ts);
 *   csdn-crawl  the engine as createCrawler builds it by default: a SQLite state file (resumable
 *               after a crash) and SQLite results, graph off;
 *   crawlee     the same job with Crawlee's CheerioCrawler as a user would run it for that job:
 *               its default persistent storage (request queue and dataset on disk, in a temp
 *               dir removed afterwards) (bench/http-crawl-crawlee.ts);
 *   csdn-crawl-mem, crawlee-mem  the same two with their state in memory (csdn-crawl's results
 *               still in SQLite; Crawlee's `persistStorage: false`, nothing on disk): neither
 *               resumes after a crash. The goals compare the durable pair.
 * BENCH_JOBS=limit,csdn-crawl,crawlee runs a subset. BENCH_CONCURRENCY: csdn-crawl's users in
 * flight (default BENCH_CAP; the in-flight cap on requests stays BENCH_CAP whatever it is).
 * Printed per job: requests per user it chose (and its retries after faults) against the
 * minimum (minimalRequests of src/testing/replica: home + ceil(articles/100), + 1 only when the
 * count cannot tell the end), users/min, CPU ms per user, peak RSS, users whose article count
 * equals the truth; then the ratios. With BENCH_ROUNDS > 1 the best round of each job counts
 * (the machine is shared).
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { minimalRequests } from '../src/testing/replica/minimal-requests.js';
import type { JobInput, JobResult } from './http-crawl-jobs.js';
import { isReplicaRole, serveToParent, startReplicaProcess } from './replica-process.js';

const USERS = Number(process.env.BENCH_USERS ?? 300);
const CAP = Number(process.env.BENCH_CAP ?? 8);
const LATENCY = Number(process.env.BENCH_LATENCY ?? 30);
const FAULTS = process.env.BENCH_FAULTS ?? 'realistic';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const SEED = 7;
const SCRIPT = fileURLToPath(import.meta.url);

interface ReplicaInfo {
  url: string;
  usernames: string[];
}

/** What the replica child answers to 'summary': its request counts and each user's counts now. */
interface Summary {
  total: number;
  faults: Record<string, number>;
  /** Requests sent inside a Retry-After window the replica had announced (a polite client: 0). */
  violations: number;
  users: Record<string, { articles: number; drafts: number }>;
}

// Loaded only in the job's own process: no job's memory holds another one's modules.
const JOBS = {
  limit: async () => (await import('./http-crawl-jobs.js')).bareLoop,
  'csdn-crawl': async () => (await import('./http-crawl-jobs.js')).csdnCrawlDurable,
  crawlee: async () => (await import('./http-crawl-crawlee.js')).crawleePersistent,
  'csdn-crawl-mem': async () => (await import('./http-crawl-jobs.js')).csdnCrawlInMemory,
  'crawlee-mem': async () => (await import('./http-crawl-crawlee.js')).crawleeInMemory,
} as const;
type JobName = keyof typeof JOBS;

function selectedJobs(): JobName[] {
  const names = (process.env.BENCH_JOBS ?? Object.keys(JOBS).join(',')).split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(n in JOBS));
  if (unknown.length > 0)
    throw new Error(`BENCH_JOBS: unknown job ${unknown.join(', ')} (use ${Object.keys(JOBS).join(', ')})`);
  return names as JobName[];
}

async function serveReplica() {
  const { startReplica, FAULT_PRESETS } = await import('../src/testing/replica/index.js');
  const preset = FAULT_PRESETS[FAULTS as keyof typeof FAULT_PRESETS];
  if (!preset) throw new Error(`BENCH_FAULTS: unknown preset ${FAULTS} (none, realistic, hostile)`);
  const replica = await startReplica({
    users: USERS,
    seed: SEED,
    // BENCH_FAULT_RATES='{"hang":0}' lays rates over the preset, to see what each fault costs
    faults: {
      ...preset,
      latencyMs: LATENCY,
      jitterMs: Math.round(LATENCY / 3),
      ...JSON.parse(process.env.BENCH_FAULT_RATES ?? '{}'),
    },
  });
  serveToParent(replica, { url: replica.url, usernames: replica.usernames } satisfies ReplicaInfo);
  process.on('message', (message) => {
    if (message !== 'summary') return;
    const stats = replica.stats();
    const users: Summary['users'] = {};
    for (const name of replica.usernames)
      users[name] = {
        articles: replica.truth(name)?.articles.length ?? 0,
        drafts: replica.drafts(name) ?? 0,
      };
    process.send?.({
      total: stats.total,
      faults: stats.faults,
      violations: stats.retryAfterViolations,
      users,
    } satisfies Summary);
  });
}

async function serveJob() {
  const name = process.env.BENCH_JOB as JobName;
  process.once('message', async (input) => {
    const job = await JOBS[name]();
    const result = await job(input as JobInput);
    process.send?.(result, () => process.exit(0));
  });
}

/** Run one job in a child process of its own. */
function runJob(name: JobName, input: JobInput): Promise<JobResult> {
  const profile = process.env.BENCH_CPU_PROF;
  const child = fork(process.argv[1], [SCRIPT], {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each job, to see where its CPU goes
    execArgv: profile ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${profile}`] : process.execArgv,
    env: { ...process.env, BENCH_ROLE: 'job', BENCH_JOB: name },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (result) => resolve(result as JobResult));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before reporting`)));
    child.send(input);
  });
}

const least = (u: { articles: number; drafts: number }) =>
  minimalRequests({ ...u, fans: 0, follows: 0 }, { maxFans: 0, maxFollows: 0 });

/** The limit's URLs: every user's home page and the list pages its minimum counts. */
function minimalUrls(url: string, summary: Summary): string[] {
  const urls: string[] = [];
  for (const [name, user] of Object.entries(summary.users)) {
    const id = encodeURIComponent(name);
    urls.push(`${url}/${id}`);
    for (let page = 1; page <= least(user).articleList; page++)
      urls.push(
        `${url}/community/home-api/v1/get-business-list?page=${page}&size=100&businessType=blog&orderby=&noMore=false&year=&month=&username=${id}`,
      );
  }
  return urls;
}

interface Row {
  name: JobName;
  result: JobResult;
  minimum: number;
  sent: number;
  faults: number;
  published: number;
  violations: number;
  exact: number;
}

const perUser = (n: number, users: number) => (n / users).toFixed(3);
const usersPerMin = (r: JobResult) => (r.users / r.seconds) * 60;
const cpuPerUser = (r: JobResult) => r.cpuMs / Math.max(1, r.users);

function print(row: Row, round: number) {
  const { name, result: r, minimum } = row;
  console.log(
    `round ${round} ${name.padEnd(14)} | requests/user chosen ${perUser(r.chosen, USERS)} (${(r.chosen / minimum).toFixed(3)} x minimum ${perUser(minimum, USERS)}), own retries ${r.retries}${r.failedAttempts ? ` (${r.failedAttempts} failed attempts)` : ''}, sent at the replica ${row.sent} (${row.faults} faults injected, ${row.published} articles published mid-walk, ${row.violations} requests inside a Retry-After window) | ${r.users} users${r.failedUsers ? ` (${r.failedUsers} ${name === 'limit' ? 'requests failed' : 'failed'})` : ''} in ${r.seconds.toFixed(1)} s = ${usersPerMin(r).toFixed(0)} users/min | CPU ${cpuPerUser(r).toFixed(1)} ms/user | peak RSS ${r.peakRssMb.toFixed(0)} MB${name === 'limit' ? '' : ` | article lists equal to the truth: ${row.exact}/${USERS}`} | load ${os.loadavg()[0].toFixed(1)}`,
  );
}

/** The ratios of one pair (when both ran): requests against the minimum, speed, CPU and memory. */
function compare(
  best: Map<JobName, Row>,
  oursName: JobName,
  peerName: JobName,
  limitName: JobName,
  what: string,
) {
  const ours = best.get(oursName);
  const peer = best.get(peerName);
  if (!ours || !peer) return;
  const r = (a: number, b: number, digits = 2) => (a / b).toFixed(digits);
  console.log(
    `${oursName} vs ${peerName} (${what}): ${r(ours.result.chosen, ours.minimum, 3)} x minimum requests (goal <= 1.02; ${peerName} ${r(peer.result.chosen, peer.minimum, 3)} x), ${r(usersPerMin(ours.result), usersPerMin(peer.result))} x users/min (goal >= 1.4), ${r(cpuPerUser(ours.result), cpuPerUser(peer.result))} x CPU per user (goal <= 0.33), ${r(ours.result.peakRssMb, peer.result.peakRssMb)} x peak RSS`,
  );
  const limit = best.get(limitName);
  if (limit)
    console.log(
      `${oursName} vs ${limitName}: ${r(usersPerMin(ours.result), usersPerMin(limit.result))} x users/min, ${r(cpuPerUser(ours.result), cpuPerUser(limit.result), 1)} x CPU per user`,
    );
}

async function main() {
  const load = os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
  console.log(
    `bench/http-crawl: ${USERS} users, faults ${FAULTS}, latency ${LATENCY} ms, ${CAP} requests in flight for every job, node ${process.version}, ${os.cpus().length} CPUs, load average ${load}`,
  );
  const replica = await startReplicaProcess<ReplicaInfo>(SCRIPT);
  try {
    const input: JobInput = { url: replica.url, usernames: replica.usernames, cap: CAP };
    const warm = await runJob('csdn-crawl', input);
    console.log(`warm-up (csdn-crawl): ${warm.users} users in ${warm.seconds.toFixed(1)} s`);
    const best = new Map<JobName, Row>();
    const jobs = selectedJobs();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of jobs) {
        const before = await replica.ask<Summary>('summary');
        const urls = name === 'limit' ? minimalUrls(replica.url, before) : undefined;
        const result = await runJob(name, { ...input, urls });
        const after = await replica.ask<Summary>('summary');
        const faultsNow = (s: Summary) =>
          Object.entries(s.faults).reduce((a, [f, n]) => a + (f === 'publishMidWalk' ? 0 : n), 0);
        const row: Row = {
          name,
          result,
          // the minimum of the list as it is now (articles published during the job included)
          minimum: Object.values(after.users).reduce((a, u) => a + least(u).home + least(u).articleList, 0),
          sent: after.total - before.total,
          faults: faultsNow(after) - faultsNow(before),
          published: (after.faults.publishMidWalk ?? 0) - (before.faults.publishMidWalk ?? 0),
          violations: after.violations - before.violations,
          exact: Object.entries(after.users).filter(([n, u]) => result.articles[n] === u.articles).length,
        };
        print(row, round);
        const kept = best.get(name);
        if (!kept || usersPerMin(result) > usersPerMin(kept.result)) best.set(name, row);
      }
    }
    compare(best, 'csdn-crawl', 'crawlee', 'limit', 'both durable: the goals');
    compare(best, 'csdn-crawl-mem', 'crawlee-mem', 'limit', 'both with state in memory');
  } finally {
    await replica.close();
  }
}

// last: every declaration above is initialised before a role runs
if (isReplicaRole()) await serveReplica();
else if (process.env.BENCH_ROLE === 'job') await serveJob();
else await main();
