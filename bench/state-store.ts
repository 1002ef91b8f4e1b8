/**
 * State store benchmark: a million IDs in the Keyv SQLite store.
 *
 *   npx vite-node bench/state-store.ts [ids=1000000] [claimBatch=100] [claimTotal=20000] [redis-url]
 *
 * With a redis:// URL as the fourth argument the same figures are taken on the Redis store (under a
 * unique key prefix, deleted afterwards) instead of the SQLite file.
 *
 * Prints the time to add the IDs, `counts()` latency, claim+complete throughput (IDs/s: claiming a
 * batch, then completing each ID one after another, and completing the batch in parallel as a worker
 * pool does) and the peak RSS. Then the due-time figures (bench/due-figures.ts), each scenario
 * on a fresh store of the same kind. Files live in a temporary directory and are deleted afterwards.
 */

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StateStore } from '../src/core/state-store.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openRedisStateStore } from '../src/stores/redis-state-store.js';
import { type BenchStore, dueFigures, dueTable } from './due-figures.js';

const total = Number(process.argv[2] ?? 1_000_000);
const batch = Number(process.argv[3] ?? 100);
const claimTotal = Number(process.argv[4] ?? 20_000);

const dir = await mkdtemp(path.join(tmpdir(), 'csdn-bench-'));
const file = path.join(dir, 'state.sqlite');
const redisUrl = process.argv[5];
let files = 0;
async function openBenchStore(): Promise<BenchStore> {
  if (redisUrl) {
    const redis = await openRedisStateStore({ url: redisUrl, prefix: `csdn-bench-${randomUUID()}` });
    return { store: redis, cleanup: () => redis.destroy().finally(() => redis.close()) };
  }
  const where = files++ === 0 ? file : path.join(dir, `state-${files}.sqlite`);
  const keyv = await openKeyvStateStore({ path: where });
  const remove = (suffix: string) => rm(`${where}${suffix}`, { force: true });
  return {
    store: keyv,
    // The first file stays until its size is printed; the others go once their figures are out.
    cleanup: async () => {
      await keyv.close();
      if (where !== file) await Promise.all(['', '-wal', '-shm'].map(remove));
    },
  };
}
const bench = await openBenchStore();
const store: StateStore = bench.store;
console.log(`store: ${redisUrl ? `Redis ${redisUrl}` : `Keyv SQLite ${file}`}`);
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

try {
  let start = process.hrtime.bigint();
  const chunk = 50_000;
  for (let i = 0; i < total; i += chunk) {
    const ids = Array.from({ length: Math.min(chunk, total - i) }, (_, k) => `user_${i + k}`);
    await store.add(ids);
  }
  const addSeconds = seconds(start);
  console.log(`add ${total} IDs: ${addSeconds.toFixed(1)} s (${Math.round(total / addSeconds)} IDs/s)`);

  const latencies: number[] = [];
  for (let i = 0; i < 20; i++) {
    start = process.hrtime.bigint();
    await store.counts();
    latencies.push(seconds(start) * 1000);
  }
  latencies.sort((a, b) => a - b);
  console.log(`counts(): median ${latencies[10].toFixed(2)} ms, max ${latencies[19].toFixed(2)} ms`);

  // One worker finishing users one after another, then a pool finishing a whole batch at once.
  for (const parallel of [false, true]) {
    start = process.hrtime.bigint();
    let done = 0;
    while (done < claimTotal) {
      const leases = await store.claim('bench', batch, 60_000);
      if (leases.length === 0) break;
      if (parallel) {
        const results = await Promise.all(leases.map((lease) => store.complete('bench', lease.id, 'done')));
        if (results.includes(false)) throw new Error('a completion was refused');
      } else for (const lease of leases) await store.complete('bench', lease.id, 'done');
      done += leases.length;
    }
    const claimSeconds = seconds(start);
    console.log(
      `claim ${batch} at a time, complete ${parallel ? 'all in parallel' : 'one by one'}: ${done} IDs in ${claimSeconds.toFixed(1)} s = ${Math.round(done / claimSeconds)} IDs/s`,
    );
  }

  start = process.hrtime.bigint();
  const leases = await store.claim('bench', 500, 60_000);
  const claimMs = seconds(start) * 1000;
  start = process.hrtime.bigint();
  const released = await store.releaseOwner('bench');
  console.log(
    `claim 500: ${claimMs.toFixed(1)} ms; releaseOwner (${released} leases): ${(seconds(start) * 1000).toFixed(1)} ms`,
  );
  if (leases.length !== released) throw new Error('releaseOwner lost leases');

  start = process.hrtime.bigint();
  const page = await store.list('done', { limit: 100 });
  console.log(`list(done, 100): ${(seconds(start) * 1000).toFixed(1)} ms (${page.length} records)`);

  console.log('counts:', JSON.stringify(await store.counts()));
  const size = redisUrl ? 0 : (await stat(file)).size;
  console.log(
    `file: ${(size / 1e6).toFixed(0)} MB; peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
} finally {
  await bench.cleanup();
}
try {
  console.log(`\n${dueTable(await dueFigures(openBenchStore, [total], batch, claimTotal))}\n`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
