/**
 * Due-time figures of a state store at several sizes side by side (bench/due-figures.ts), to show
 * what grows with the number of users and what does not.
 *
 *   node_modules/.bin/vite-node bench/state-store-due.ts [sizes=100000,1000000] [claimBatch=100] [claimTotal=20000] [redis-url]
 *
 * Without a redis:// URL the store is a Keyv SQLite file in a temporary directory (deleted
 * afterwards); with one, the Redis store under a unique key prefix (deleted afterwards).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openRedisStateStore } from '../src/stores/redis-state-store.js';
import { type BenchStore, dueFigures, dueTable } from './due-figures.js';

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '100000,1000000').split(',').map(Number);
  const batch = Number(process.argv[3] ?? 100);
  const claimTotal = Number(process.argv[4] ?? 20_000);
  const redisUrl = process.argv[5];
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(batch >= 1) || !(claimTotal >= 1)) {
    console.error(
      'usage: vite-node bench/state-store-due.ts [sizes=100000,1000000] [claimBatch] [claimTotal] [redis-url]',
    );
    process.exit(2);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'csdn-bench-due-'));
  let files = 0;
  const open = async (): Promise<BenchStore> => {
    if (redisUrl) {
      const redis = await openRedisStateStore({ url: redisUrl, prefix: `csdn-bench-${randomUUID()}` });
      return { store: redis, cleanup: () => redis.destroy().finally(() => redis.close()) };
    }
    const where = path.join(dir, `state-${files++}.sqlite`);
    const keyv = await openKeyvStateStore({ path: where });
    return {
      store: keyv,
      cleanup: async () => {
        await keyv.close();
        await Promise.all(['', '-wal', '-shm'].map((s) => rm(`${where}${s}`, { force: true })));
      },
    };
  };
  console.log(`store: ${redisUrl ? `Redis ${redisUrl}` : 'Keyv SQLite file'}; sizes ${sizes.join(', ')}`);
  try {
    console.log(`\n${dueTable(await dueFigures(open, sizes, batch, claimTotal))}`);
    console.log(`\npeak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
