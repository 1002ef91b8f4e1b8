import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultStore } from '../src/core/result-store.js';
import { openPostgresResultStore, type PostgresResultStore } from '../src/stores/postgres-result-store.js';
import { openRedisStateStore, type RedisStateStore } from '../src/stores/redis-state-store.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { type CliRun, startCli, waitFor } from './helpers/cli-process.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';

const USERS = 1000;
const WORKERS = 4;
// Secrets in the URLs: Redis's default user accepts any password and PostgreSQL trusts local
// connections, so these only serve to show that no log line ever prints them.
const REDIS_SECRET = 'fleet-redis-pw-5821';
const PG_SECRET = 'fleet-pg-pw-9377';

describe('a fleet of worker processes sharing Redis state and PostgreSQL results', () => {
  let replica: Replica;
  let state: RedisStateStore;
  let results: PostgresResultStore;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-fleet-'));
  const tag = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const prefix = `csdn-e2e-fleet-${tag}`;
  const schema = `csdn_e2e_fleet_${tag}`;
  const storeSpec = `redis://default:${REDIS_SECRET}@127.0.0.1:6379/0?prefix=${prefix}`;
  const resultsSpec = `postgres://postgres:${PG_SECRET}@127.0.0.1:5432/test?schema=${schema}`;
  const runs: CliRun[] = [];

  beforeAll(async () => {
    replica = await startReplica({
      users: USERS,
      seed: 23,
      maxArticlesPerUser: 120,
      faults: { latencyMs: 5, jitterMs: 5 },
    });
    state = await openRedisStateStore({ url: 'redis://127.0.0.1:6379', prefix });
    results = await openPostgresResultStore({ url: 'postgres://postgres@127.0.0.1:5432/test', schema });
  });

  afterAll(async () => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await state?.destroy();
    await state?.close();
    await results?.dropSchema();
    await results?.close();
    await replica?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('crawls every user exactly once although one worker is SIGKILLed, and shows live workers', async () => {
    const idsFile = path.join(root, 'ids.txt');
    writeFileSync(idsFile, `${replica.usernames.join('\n')}\n`);
    const config = path.join(root, 'fleet.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
        requestTimeoutMs: 5000,
        leaseMs: 3000,
        autoPromote: 0,
      }),
    );
    const common = ['--store', storeSpec, '--results', resultsSpec, '--config', config];

    const add = startCli(['add', ...common, '--data-dir', path.join(root, 'adder'), '--ids-file', idsFile]);
    expect((await add.exit).code, add.output()).toBe(0);
    expect(add.output()).toContain(`added ${USERS} of ${USERS} IDs to pending`);

    // The site is slow until the victim is dead, so that on a fast machine the fleet cannot finish
    // (or nearly) before status has listed every worker and one of them has been killed.
    replica.setFaults({ latencyMs: 120, jitterMs: 0 });
    const workerIds = Array.from({ length: WORKERS }, (_, i) => `fleet-${i + 1}`);
    for (const [i, id] of workerIds.entries()) {
      runs.push(
        startCli([
          'run',
          ...common,
          '--base-url',
          replica.url,
          '--data-dir',
          path.join(root, `w${i + 1}`),
          '--worker-id',
          id,
          '--driver',
          'http',
          '--concurrency',
          '4',
        ]),
      );
    }

    // Workers beat on start and every 5 s: wait until status lists every worker while the crawl runs.
    let statusText = '';
    await waitFor(
      async () => {
        const status = startCli(['status', ...common, '--data-dir', path.join(root, 'adder')]);
        const { code } = await status.exit;
        statusText = status.output();
        return code === 0 && workerIds.every((id) => statusText.includes(`worker ${id} on `));
      },
      30_000,
      `status listing all ${WORKERS} workers`,
    );
    expect(statusText).toMatch(
      /worker fleet-1 on \S+ pid \d+: \d+ in flight, [\d.]+ users\/min, seen \d+ s ago/,
    );
    expect(statusText).not.toContain(REDIS_SECRET);

    // Kill one worker once every worker has had time to crawl a share, while plenty is left.
    await waitFor(async () => (await state.counts()).done >= 150, 30_000, '150 users done');
    const victim = runs[1];
    victim.child.kill('SIGKILL');
    expect((await victim.exit).signal).toBe('SIGKILL');
    expect((await state.counts()).pending).toBeGreaterThan(USERS / 4);
    replica.setFaults({ latencyMs: 5, jitterMs: 5 });
    // What the dead worker held at the moment it died: nobody else may touch these for leaseMs.
    const held = await state.raw.smembers(`${prefix}:owner:${workerIds[1]}`);
    expect(held.length).toBeGreaterThan(0);
    for (const id of held) expect((await state.get(id))?.set).toBe('leased');

    const survivors = runs.filter((r) => r !== victim);
    for (const run of survivors) {
      const { code } = await run.exit;
      expect(code, run.output().slice(-2000)).toBe(0);
    }

    // Nothing lost, nothing left behind.
    expect(await state.counts()).toMatchObject({
      done: USERS,
      pending: 0,
      leased: 0,
      failed: 0,
      notfound: 0,
    });
    // The dead worker's leases were taken over: each ended done after a second claim.
    for (const id of held) {
      const record = await state.get(id);
      expect(record?.set, id).toBe('done');
      expect(record?.attempts, id).toBeGreaterThanOrEqual(2);
      expect((await results.getUser(id))?.status, id).toBe('done');
    }
    expect(await state.raw.scard(`${prefix}:owner:${workerIds[1]}`)).toBe(0);

    // Every user exactly once: one snapshot each, and the stored data equal to the truth.
    const resultCounts = await results.counts();
    expect(resultCounts.users).toBe(USERS);
    expect(resultCounts.snapshots).toBe(USERS);
    const sample = [...held, ...replica.usernames.filter((_, i) => i % 5 === 0)];
    const diffs: string[] = [];
    for (const u of new Set(sample)) {
      diffs.push(...(await diffAgainstTruth(results as ResultStore, u, replica.truth(u)!)));
    }
    expect(diffs.slice(0, 10)).toEqual([]);
    expect(resultCounts.articles).toBe(
      replica.usernames.reduce((sum, u) => sum + replica.truth(u)!.articles.length, 0),
    );

    // Every survivor crawled a share, and no password reached any log.
    for (const run of runs) {
      expect(run.output()).not.toContain(REDIS_SECRET);
      expect(run.output()).not.toContain(PG_SECRET);
    }
    expect(add.output()).not.toContain(PG_SECRET);
  }, 90_000);
});
