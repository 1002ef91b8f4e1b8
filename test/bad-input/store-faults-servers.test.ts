import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/stores/open.js';
import { openPostgresResultStore } from '../../src/stores/postgres-result-store.js';
import { type Replica, startReplica } from '../../src/testing/replica/index.js';
import { errorLines, closedPort as freePort, startCli, waitFor } from '../helpers/cli-process.js';

/** A TCP proxy the test can pull the plug on: the server behind it "goes away" for the crawler. */
async function startProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** Rows of users stored as done, counted through the CLI's own status output. */
function doneIn(output: string): number {
  const match = /^done\s+(\d+)/m.exec(output);
  return match ? Number(match[1]) : -1;
}

describe('a store server that goes away', () => {
  let replica: Replica;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-server-fault-'));
  const config = path.join(root, 'slow.config.json');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // Slow enough that the crawl is still running when the store disappears.
    replica = await startReplica({ users: 200, seed: 37, faults: { latencyMs: 40, jitterMs: 10 } });
    writeFileSync(config, JSON.stringify({ politeness: { maxInFlightPerHost: 2, minDelayMs: 100 } }));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await replica.close();
    rmSync(root, { recursive: true, force: true });
  });

  function crawl(extra: string[]) {
    const run = startCli([
      'run',
      '--base-url',
      replica.url,
      '--driver',
      'http',
      '--config',
      config,
      '--concurrency',
      '2',
      ...extra,
      ...replica.usernames,
    ]);
    children.push(run.child);
    return run;
  }

  it('stores that cannot be reached when opening: exit 3, one line naming the URL', {
    timeout: 60_000,
  }, async () => {
    const port = await freePort();
    for (const flags of [
      ['--store', `redis://127.0.0.1:${port}`],
      ['--results', `postgres://postgres@127.0.0.1:${port}/test`],
    ]) {
      const run = crawl(['--data-dir', path.join(root, `open-${port}`), ...flags]);
      const { code } = await run.exit;
      expect(code, run.output()).toBe(3);
      const errors = errorLines(run.output());
      expect(errors, run.output()).toHaveLength(1);
      expect(errors[0]).toContain(`127.0.0.1:${port}`);
    }
  });

  it('PostgreSQL gone past the reconnect window: exit 3, one line, leases back in pending', {
    timeout: 120_000,
  }, async () => {
    const schema = `csdn_fault_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const proxy = await startProxy(5432);
    const dataDir = path.join(root, 'pg');
    const url = `postgres://postgres@127.0.0.1:${proxy.port}/test?schema=${schema}`;
    try {
      const run = crawl(['--data-dir', dataDir, '--results', url]);
      const status = async () => {
        const s = startCli(['status', '--data-dir', dataDir]);
        await s.exit;
        return s.output();
      };
      await waitFor(async () => doneIn(await status()) >= 3, 60_000, 'three users stored');
      await proxy.close();
      const { code } = await run.exit;
      expect(code, run.output()).toBe(3);
      const errors = errorLines(run.output());
      expect(errors, run.output()).toHaveLength(1);
      expect(errors[0]).toContain(`127.0.0.1:${proxy.port}`);
      expect(errors[0]).toContain('unreachable');
      expect(run.output()).not.toContain('unexpected error');

      // The state (a local SQLite file) still works: nothing leased, nothing failed.
      const state = await openStateStore(path.join(dataDir, 'state.sqlite'));
      try {
        const counts = await state.counts();
        expect(counts.leased).toBe(0);
        expect(counts.failed).toBe(0);
        expect(counts.done + counts.pending).toBe(replica.usernames.length);
      } finally {
        await state.close();
      }
    } finally {
      const cleanup = await openPostgresResultStore({
        url: 'postgres://postgres@127.0.0.1:5432/test',
        schema,
      });
      await cleanup.dropSchema();
      await cleanup.close();
    }
  });

  it('Redis gone past the reconnect window: exit 3 with one line naming it, no endless retries', {
    timeout: 120_000,
  }, async () => {
    const port = await freePort();
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
      stdio: 'ignore',
    });
    children.push(redis);
    const store = `redis://127.0.0.1:${port}`;
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect(port, '127.0.0.1');
          socket.once('connect', () => resolve(true));
          socket.once('error', () => resolve(false));
          socket.once('close', () => socket.destroy());
        }),
      10_000,
      'redis-server listening',
    );
    const run = crawl(['--data-dir', path.join(root, 'redis'), '--store', store]);
    const status = async () => {
      const s = startCli(['status', '--store', store]);
      await s.exit;
      return s.output();
    };
    await waitFor(async () => doneIn(await status()) >= 3, 60_000, 'three users done');
    redis.kill('SIGKILL');
    const { code } = await run.exit;
    expect(code, run.output()).toBe(3);
    const errors = errorLines(run.output());
    expect(errors, run.output()).toHaveLength(1);
    expect(errors[0]).toContain(`127.0.0.1:${port}`);
    expect(run.output()).not.toContain('unexpected error');
  });
});
