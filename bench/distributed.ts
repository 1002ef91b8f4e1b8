/**
 * Fleet throughput: 1, 2 and 4 worker processes of the built CLI sharing one Redis state store
 * and one PostgreSQL result store, against the local replica at 50 ms latency.
 *
 *   npx tsup --silent && npx vite-node bench/distributed.ts
 *   BENCH_USERS=600 BENCH_CONCURRENCY=4 BENCH_WORKERS=1,2,4 BENCH_LATENCY=50 npx vite-node bench/distributed.ts
 *
 * Each round: a fresh Redis prefix and PostgreSQL schema, `csdn-crawl add` of every user, then N
 * `csdn-crawl run --driver http` processes with --concurrency BENCH_CONCURRENCY each (default 4,
 * politeness off: maxInFlightPerHost = 2 x concurrency, minDelay 0). Printed per round:
 *   wall     users / seconds from spawning the workers to the last exit (includes process start-up);
 *   steady   users / seconds between 10 % and 90 % done (Redis `done` count sampled every 100 ms);
 *   cpu      the machine's busy CPU over the round, in cores (of os.cpus().length), from /proc/stat;
 *   ratio    steady users/s against the first round (one worker by default);
 *   CPU per user of the workers, the replica, and PostgreSQL + Redis, and a worker's peak RSS.
 * The replica runs in its own child process (as in bench/http-crawl.ts) and every user is built
 * there before the first round, so the first round does not pay for it. Redis at 127.0.0.1:6379,
 * PostgreSQL at 127.0.0.1:5432 db `test` (env BENCH_REDIS, BENCH_PG to change); everything the
 * bench creates is removed afterwards.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPostgresResultStore } from '../src/stores/postgres-result-store.js';
import { openRedisStateStore } from '../src/stores/redis-state-store.js';
import { cli, requireBuiltCli } from './cli-child.js';
import { isReplicaRole, serveToParent, startReplicaProcess } from './replica-process.js';

const USERS = Number(process.env.BENCH_USERS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number);
const LATENCY = Number(process.env.BENCH_LATENCY ?? 50);
const REDIS = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379/0';
const PG = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const SEED = 7;

interface ReplicaInfo {
  url: string;
  usernames: string[];
  pid?: number;
}

/** Busy and total jiffies of the whole machine. */
function cpuTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** utime + stime of one process in seconds (0 once it is gone). */
function procCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Peak resident memory of one process in MB (0 once it is gone). */
function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds of every process whose name matches, by pid. */
function namedCpu(pattern: RegExp): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (pattern.test(readFileSync(`/proc/${entry}/comm`, 'utf8')))
        out.set(Number(entry), procCpuSeconds(Number(entry)));
    } catch {}
  }
  return out;
}

/**
 * Follows CPU time of processes that come and go (a worker's PostgreSQL backends end with it):
 * the last value seen per pid, minus what each pid had used when tracking began.
 */
class CpuTracker {
  private readonly base = new Map<number, number>();
  private readonly last = new Map<number, number>();
  constructor(private readonly read: () => Map<number, number>) {
    for (const [pid, s] of read()) this.base.set(pid, s);
  }
  sample(): void {
    for (const [pid, s] of this.read()) if (s > 0) this.last.set(pid, s);
  }
  seconds(): number {
    let sum = 0;
    for (const [pid, s] of this.last) sum += s - (this.base.get(pid) ?? 0);
    return sum;
  }
}

function withParam(url: string, key: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.toString();
}

interface Round {
  workers: number;
  wallSeconds: number;
  steadyUsersPerSec: number;
  wallUsersPerSec: number;
  cores: number;
  load: number;
  workerCpu: number;
  replicaCpu: number;
  serverCpu: number;
  peakRssMb: number;
}

async function round(replica: ReplicaInfo, workers: number): Promise<Round> {
  const tag = `b${Date.now().toString(36)}${workers}`;
  const prefix = `csdn-bench-fleet-${tag}`;
  const schema = `csdn_bench_fleet_${tag}`;
  const store = withParam(REDIS, 'prefix', prefix);
  const results = withParam(PG, 'schema', schema);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-fleet-'));
  const state = await openRedisStateStore({ url: REDIS, prefix });
  const config = path.join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      politeness: { maxInFlightPerHost: CONCURRENCY * 2, minDelayMs: 0 },
      requestTimeoutMs: 15_000,
      autoPromote: 0,
    }),
  );
  const idsFile = path.join(dir, 'ids.txt');
  await writeFile(idsFile, `${replica.usernames.join('\n')}\n`);
  const common = ['--store', store, '--results', results, '--config', config];
  try {
    const add = cli(['add', ...common, '--data-dir', path.join(dir, 'adder'), '--ids-file', idsFile]);
    if ((await add.exit) !== 0) throw new Error(`add failed: ${add.output()}`);

    const cpu0 = cpuTicks();
    const servers = new CpuTracker(() => namedCpu(/^(postgres|redis-server)/));
    const replicaCpu0 = procCpuSeconds(replica.pid ?? 0);
    const t0 = performance.now();
    const runs = Array.from({ length: workers }, (_, i) =>
      cli([
        'run',
        ...common,
        '--base-url',
        replica.url,
        '--data-dir',
        path.join(dir, `w${i}`),
        '--worker-id',
        `bench-${i}`,
        '--driver',
        'http',
        '--concurrency',
        String(CONCURRENCY),
      ]),
    );
    let t10 = 0;
    let t90 = 0;
    let sampling = true;
    const workerCpu = new CpuTracker(
      () => new Map(runs.map((r) => [r.child.pid ?? 0, procCpuSeconds(r.child.pid ?? 0)])),
    );
    let ticks = 0;
    let peakRss = 0;
    const sampler = (async () => {
      while (sampling) {
        const { done } = await state.counts();
        const now = performance.now();
        if (!t10 && done >= USERS * 0.1) t10 = now;
        if (!t90 && done >= USERS * 0.9) t90 = now;
        workerCpu.sample();
        for (const r of runs) peakRss = Math.max(peakRss, peakRssMb(r.child.pid ?? 0));
        if (ticks++ % 3 === 0) servers.sample();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const codes = await Promise.all(runs.map((r) => r.exit));
    const wallSeconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuTicks();
    servers.sample();
    const replicaCpu = procCpuSeconds(replica.pid ?? 0) - replicaCpu0;
    sampling = false;
    await sampler;
    codes.forEach((code, i) => {
      if (code !== 0) throw new Error(`worker ${i} exited ${code}: ${runs[i].output().slice(-1500)}`);
    });
    const counts = await state.counts();
    if (counts.done !== USERS)
      throw new Error(`only ${counts.done} of ${USERS} done: ${JSON.stringify(counts)}`);
    const steadySeconds = (t90 - t10) / 1000;
    return {
      workers,
      wallSeconds,
      wallUsersPerSec: USERS / wallSeconds,
      steadyUsersPerSec: (USERS * 0.8) / steadySeconds,
      cores: ((cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total)) * os.cpus().length,
      load: os.loadavg()[0],
      workerCpu: workerCpu.seconds(),
      replicaCpu,
      serverCpu: servers.seconds(),
      peakRssMb: peakRss,
    };
  } finally {
    await state.destroy();
    await state.close();
    const pg = await openPostgresResultStore({ url: PG, schema });
    await pg.dropSchema();
    await pg.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  requireBuiltCli();
  console.log(
    `fleet bench: ${USERS} users, replica latency ${LATENCY} ms, --concurrency ${CONCURRENCY} per worker, ` +
      `${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
  );
  const replica = await startReplicaProcess<ReplicaInfo>(fileURLToPath(import.meta.url));
  const rounds: Round[] = [];
  try {
    for (const n of WORKER_COUNTS) {
      const r = await round(replica, n);
      rounds.push(r);
      const base = rounds[0].steadyUsersPerSec;
      console.log(
        `${n} worker${n === 1 ? ' ' : 's'} | wall ${r.wallSeconds.toFixed(1)} s = ${r.wallUsersPerSec.toFixed(1)} users/s | ` +
          `steady ${r.steadyUsersPerSec.toFixed(1)} users/s | x${(r.steadyUsersPerSec / base).toFixed(2)} | ` +
          `machine CPU ${r.cores.toFixed(2)} cores busy | load ${r.load.toFixed(1)}`,
      );
      const ms = (seconds: number) => ((seconds * 1000) / USERS).toFixed(1);
      console.log(
        `          CPU per user: workers ${ms(r.workerCpu)} ms, replica ${ms(r.replicaCpu)} ms, ` +
          `PostgreSQL + Redis ${ms(r.serverCpu)} ms (machine-wide, other clients included) | ` +
          `peak RSS of a worker ${r.peakRssMb.toFixed(0)} MB`,
      );
    }
  } finally {
    await replica.close();
  }
}

// Runs last: the classes and functions above must exist before the first round.
if (isReplicaRole()) {
  const { startReplica } = await import('../src/testing/replica/index.js');
  const replica = await startReplica({ users: USERS, seed: SEED, faults: { latencyMs: LATENCY } });
  // Users are generated lazily and cached: build them all now.
  for (const u of replica.usernames) replica.truth(u);
  serveToParent(replica, { url: replica.url, usernames: replica.usernames } satisfies ReplicaInfo);
} else {
  await main();
}
