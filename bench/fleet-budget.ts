/**
 * One politeness budget for a fleet: N worker processes of the built CLI sharing a Redis state
 * store, each configured with the same rate R (`politeness.minDelayMs` = 1000 / R), against the
 * replica in its own process. Printed per round, side by side:
 *   peak/s   the replica's peakPerSecond: the most requests that arrived in any 1-second window;
 *   rate     requests / seconds from releasing the work to the last worker's exit;
 *   time     that duration, and its ratio to the last round of one worker with budget R.
 * Rounds: 1 worker with budget R (the reference) and BENCH_WORKERS workers sharing R, alternating
 * BENCH_REPEAT times; then 1 worker pacing itself (`politeness.fleetBudget:
 * false`, the in-process limiter) and the workers with `fleetBudget: false` (each with its own
 * R: what a fleet did before the shared budget).
 *
 *   npx tsup --silent && node_modules/.bin/vite-node bench/fleet-budget.ts
 *   BENCH_RATE=40 BENCH_USERS=240 BENCH_WORKERS=4 BENCH_LATENCY=20 BENCH_REPEAT=2 node_modules/.bin/vite-node bench/fleet-budget.ts
 *
 * Each round starts with every ID leased by a gate, starts the workers (they wait for the gate's
 * lease) and then releases the IDs, so that process start-up is outside the timing. A fresh
 * replica process per round, so that its counters are the round's. Redis at 127.0.0.1:6379 (env
 * BENCH_REDIS); results in a SQLite file per worker; everything is removed afterwards.
 */

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openRedisStateStore } from '../src/stores/redis-state-store.js';
import type { ReplicaStats } from '../src/testing/replica/replica-types.js';
import { cli, requireBuiltCli } from './cli-child.js';

const RATE = Number(process.env.BENCH_RATE ?? 40);
const USERS = Number(process.env.BENCH_USERS ?? 240);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 4);
const LATENCY = Number(process.env.BENCH_LATENCY ?? 20);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
const REDIS = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379/0';
const SEED = 11;

interface ReplicaChild {
  url: string;
  usernames: string[];
  stats(): Promise<ReplicaStats>;
  close(): Promise<void>;
}

/** The replica in a child process of its own (this file again, BENCH_ROLE=replica). */
async function startReplicaChild(): Promise<ReplicaChild> {
  const child = fork(process.argv[1], [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_ROLE: 'replica' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () => once(child, 'message').then(([m]) => m as Record<string, unknown>);
  const info = (await next()) as { url: string; usernames: string[] };
  return {
    ...info,
    async stats() {
      const reply = next();
      child.send('stats');
      return (await reply).stats as ReplicaStats;
    },
    async close() {
      const exit = once(child, 'exit');
      child.send('close');
      await exit;
    },
  };
}

interface Round {
  label: string;
  seconds: number;
  requests: number;
  peakPerSecond: number;
}

async function round(label: string, workers: number, shared: boolean): Promise<Round> {
  const replica = await startReplicaChild();
  const prefix = `csdn-bench-budget-${Date.now().toString(36)}-${workers}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-budget-'));
  const state = await openRedisStateStore({ url: REDIS, prefix });
  try {
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        politeness: { maxInFlightPerHost: 8, minDelayMs: Math.round(1000 / RATE), fleetBudget: shared },
        leaseMs: 4000,
        autoPromote: 0,
      }),
    );
    await state.add(replica.usernames, { to: 'pending' });
    const gate = await state.claim('gate', USERS, 120_000);
    const runs = Array.from({ length: workers }, (_, i) =>
      cli([
        'run',
        ...['--store', `${REDIS}?prefix=${prefix}`, '--config', config, '--base-url', replica.url],
        ...['--driver', 'http', '--concurrency', '4', '--worker-id', `bench-${i + 1}`],
        ...['--data-dir', path.join(dir, `w${i}`), '--results', path.join(dir, `w${i}.sqlite`)],
      ]),
    );
    const gateLine = `waiting for ${USERS} IDs leased by other workers`;
    while (!runs.every((r) => r.output().includes(gateLine))) {
      const ended = runs.find((r) => r.child.exitCode !== null);
      if (ended) throw new Error(`a worker ended early: ${ended.output().slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = performance.now();
    await state.release(
      'gate',
      gate.map((l) => l.id),
    );
    const codes = await Promise.all(runs.map((r) => r.exit));
    const seconds = (performance.now() - t0) / 1000;
    codes.forEach((code, i) => {
      if (code !== 0) throw new Error(`worker ${i} exited ${code}: ${runs[i].output().slice(-1500)}`);
    });
    const counts = await state.counts();
    if (counts.done !== USERS) throw new Error(`only ${counts.done} of ${USERS} done`);
    const stats = await replica.stats();
    return { label, seconds, requests: stats.total, peakPerSecond: stats.peakPerSecond };
  } finally {
    await state.destroy();
    await state.close();
    await rm(dir, { recursive: true, force: true });
    await replica.close();
  }
}

async function main() {
  requireBuiltCli();
  console.log(
    `fleet budget bench: R = ${RATE} requests/s, ${USERS} users, replica latency ${LATENCY} ms, ` +
      `${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
  );
  const rounds: Round[] = [];
  // The pair that matters alternates BENCH_REPEAT times, so that a load that changes during the
  // bench (other jobs on the machine) weighs on both alike.
  const plan: [string, number, boolean][] = [];
  for (let i = 0; i < REPEAT; i++) {
    plan.push(['1 worker, budget R', 1, true], [`${WORKERS} workers sharing R`, WORKERS, true]);
  }
  plan.push(
    ['1 worker, own limiter (fleetBudget off)', 1, false],
    [`${WORKERS} workers, R each (fleetBudget off)`, WORKERS, false],
  );
  for (const [label, workers, shared] of plan) {
    const r = await round(label, workers, shared);
    rounds.push(r);
    // Against the last round of 1 worker with budget R (the one just before, in the pairs).
    const base = rounds.filter((x) => x.label === '1 worker, budget R').at(-1)!.seconds;
    console.log(
      `${label.padEnd(40)} | peak ${String(r.peakPerSecond).padStart(4)}/s (${((r.peakPerSecond / RATE) * 100).toFixed(0)} % of R) | ` +
        `rate ${(r.requests / r.seconds).toFixed(1)}/s | ${r.requests} requests in ${r.seconds.toFixed(1)} s | ` +
        `time x${(r.seconds / base).toFixed(2)} | load ${os.loadavg()[0].toFixed(1)}`,
    );
  }
}

if (process.env.BENCH_ROLE === 'replica') {
  const { startReplica } = await import('../src/testing/replica/index.js');
  const replica = await startReplica({
    users: USERS,
    seed: SEED,
    maxArticlesPerUser: 160,
    faults: { latencyMs: LATENCY, jitterMs: LATENCY / 4 },
  });
  // Users are generated lazily and cached: build them all now, before anything is counted.
  for (const u of replica.usernames) replica.truth(u);
  process.send?.({ url: replica.url, usernames: replica.usernames });
  process.on('message', async (message) => {
    if (message === 'stats') process.send?.({ stats: replica.stats() });
    if (message === 'close') {
      await replica.close();
      process.exit(0);
    }
  });
} else {
  await main();
}
