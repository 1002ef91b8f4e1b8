import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../src/core/errors.js';
import { openStateStore } from '../src/stores/open.js';
import { openRedisStateStore, type RedisStateStore } from '../src/stores/redis-state-store.js';
import { stateStoreConformance } from '../src/testing/conformance/state-store.js';

const REDIS = 'redis://127.0.0.1:6379';
const run = promisify(execFile);
const repo = path.resolve(__dirname, '..');

function uniquePrefix(): string {
  return `csdn-test-${randomUUID()}`;
}

stateStoreConformance('Redis', async () => {
  const prefix = uniquePrefix();
  const store = await openRedisStateStore({ url: REDIS, prefix });
  return {
    store,
    openAnother: () => openRedisStateStore({ url: REDIS, prefix }),
    cleanup: async () => {
      await store.destroy();
      await store.close();
    },
  };
});

describe('RedisStateStore', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'csdn-redis-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hands no ID out twice to several processes claiming from one prefix', async () => {
    const prefix = uniquePrefix();
    const store = await openRedisStateStore({ url: REDIS, prefix });
    try {
      const ids = Array.from({ length: 300 }, (_, i) => `mp${i}`);
      await store.add(ids);
      const child = path.join(dir, 'claimer.ts');
      await writeFile(
        child,
        `import { openRedisStateStore } from ${JSON.stringify(path.join(repo, 'src/stores/redis-state-store.ts'))};
const store = await openRedisStateStore({ url: ${JSON.stringify(REDIS)}, prefix: process.argv[2] });
const owner = 'proc-' + process.pid;
const mine = [];
for (;;) {
  const leases = await store.claim(owner, 3, 60000);
  if (leases.length === 0) break;
  for (const lease of leases) {
    mine.push(lease.id);
    if (!(await store.complete(owner, lease.id, 'done'))) throw new Error('lost ' + lease.id);
  }
}
await store.close();
console.log(JSON.stringify(mine));
`,
      );
      const viteNode = path.join(repo, 'node_modules', '.bin', 'vite-node');
      const outputs = await Promise.all(
        [1, 2, 3].map(() => run(viteNode, [child, prefix], { cwd: repo, timeout: 60_000 })),
      );
      const lists = outputs.map((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as string[]);
      const all = lists.flat();
      expect(all).toHaveLength(300);
      expect(new Set(all).size).toBe(300);
      expect((await store.counts()).done).toBe(300);
    } finally {
      await store.destroy();
      await store.close();
    }
  });

  it('fails fast with one line when Redis is unreachable, and never shows the password', async () => {
    const started = Date.now();
    const error = await openRedisStateStore({
      url: 'redis://admin:s3cret-pw@127.0.0.1:1',
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as StoreError).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).not.toContain('s3cret-pw');
    expect(message).not.toContain('\n');
    expect((error as StoreError).hint).toMatch(/start Redis/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('logs in with a password in the URL and hides a wrong one', async () => {
    const admin = await openRedisStateStore({ url: REDIS, prefix: uniquePrefix() });
    const user = `csdn-test-${randomUUID().slice(0, 8)}`;
    await admin.raw.call('ACL', 'SETUSER', user, 'on', '>right-pw-42', '~*', '+@all');
    try {
      const good = await openRedisStateStore({
        url: `redis://${user}:right-pw-42@127.0.0.1:6379`,
        prefix: uniquePrefix(),
      });
      await good.add(['x']);
      expect((await good.counts()).pending).toBe(1);
      await good.destroy();
      await good.close();
      const error = await openRedisStateStore({ url: `redis://${user}:wrong-pw-99@127.0.0.1:6379` }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).not.toContain('wrong-pw-99');
      expect((error as StoreError).message).toContain(`${user}:***@`);
    } finally {
      await admin.raw.call('ACL', 'DELUSER', user);
      await admin.close();
    }
  });

  it('fails fast when a rediss:// (TLS) URL meets a server without TLS', async () => {
    const error = await openRedisStateStore({
      url: 'rediss://:pw-tls-1@127.0.0.1:6379',
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(
      /^cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:6379/,
    );
    expect((error as StoreError).message).not.toContain('pw-tls-1');
  });

  it('is reachable through openStateStore and keeps prefixes apart', async () => {
    const a = (await openStateStore(REDIS)) as RedisStateStore;
    const b = await openRedisStateStore({ url: REDIS, prefix: uniquePrefix() });
    try {
      expect(a.prefix).toBe('csdn-crawl');
      await b.add(['only-b']);
      expect((await b.counts()).pending).toBe(1);
      expect(await a.get('only-b')).toBeUndefined();
    } finally {
      await b.destroy();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('drops heartbeats older than the TTL', async () => {
    const store = await openRedisStateStore({ url: REDIS, prefix: uniquePrefix(), workerTtlMs: 100 });
    try {
      const now = Date.now();
      await store.heartbeat({
        workerId: 'w',
        host: 'h',
        pid: 1,
        startedAt: now,
        lastSeen: now,
        inFlight: 1,
        rate: 2,
      });
      expect((await store.workers()).map((w) => w.workerId)).toEqual(['w']);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store.workers()).toEqual([]);
    } finally {
      await store.destroy();
      await store.close();
    }
  });
});
