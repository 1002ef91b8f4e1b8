import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProcs, treeMembers } from '../src/drivers/chromium-process.js';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { taggedBrowsers as taggedBrowsersWith } from './helpers/browser-processes.js';
import { type CliRun, startCli, waitFor } from './helpers/cli-process.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';
import { storedUsers } from './helpers/stored-users.js';

const TAG = 'CSDN_E2E_SIGNALS_RUN';

function taggedBrowsers(tag: string): number[] {
  return taggedBrowsersWith(TAG, tag);
}

/** Chromium processes whose parent chain leads to the CLI (only meaningful while it runs). */
function browserDescendants(cliPid: number): number[] {
  const comm = new Map(listProcs().map((p) => [p.pid, p.comm]));
  return treeMembers(cliPid).filter((pid) => pid !== cliPid && /chrom/i.test(comm.get(pid) ?? ''));
}

/**
 * Processes SIGKILLed by the CLI's exit hook die a moment after the CLI itself: give them a
 * short grace, then list what is still alive (pid and name) so a failure says what leaked.
 */
async function leftoverBrowsers(tag: string): Promise<string[]> {
  await waitFor(() => taggedBrowsers(tag).length === 0, 5000, 'browsers gone').catch(() => undefined);
  const comm = new Map(listProcs().map((p) => [p.pid, p.comm]));
  return taggedBrowsers(tag).map((pid) => `${pid} ${comm.get(pid)}`);
}

async function counts(dir: string) {
  const state = await openStateStore(path.join(dir, 'state.sqlite'));
  try {
    return await state.counts();
  } finally {
    await state.close();
  }
}

describe('stop signals sent to the CLI process', () => {
  let replica: Replica;
  let legacy: Replica;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-signals-'));

  beforeAll(async () => {
    // Slow answers keep users in flight long enough for a signal to land mid-stop.
    replica = await startReplica({ users: 60, seed: 31, faults: { latencyMs: 120, jitterMs: 40 } });
    // The 2019 skin only: every user's list is walked by clicking in Chromium.
    legacy = await startReplica({
      users: 16,
      seed: 32,
      legacyOnly: true,
      maxArticlesPerUser: 60,
      pagerDelayMs: [20, 60],
    });
  });
  afterAll(async () => {
    await replica.close();
    await legacy.close();
    rmSync(root, { recursive: true, force: true });
  });

  function setup(name: string, site: Replica, driver: 'http' | 'playwright') {
    const dir = path.join(root, name);
    const idsFile = path.join(root, `${name}-ids.txt`);
    writeFileSync(idsFile, `${site.usernames.join('\n')}\n`);
    const config = path.join(root, `${name}.config.json`);
    writeFileSync(
      config,
      JSON.stringify({
        politeness: { maxInFlightPerHost: 4, minDelayMs: 0 },
        requestTimeoutMs: 5000,
        leaseMs: 60_000,
        browser: { executablePath: '/usr/bin/chromium' },
      }),
    );
    const args = ['run', '--base-url', site.url, '--data-dir', dir, '--config', config, '--driver', driver];
    return {
      dir,
      results: path.join(dir, 'results.sqlite'),
      args: [...args, '--concurrency', '4', '--ids-file', idsFile],
      resumeArgs: args,
    };
  }

  it('one SIGTERM stops cleanly with exit 143 and every unfinished user back in pending', async () => {
    const { dir, results, args } = setup('sigterm', replica, 'http');
    const run = startCli(args);
    await waitFor(() => storedUsers(results) >= 5, 60_000, '5 users stored');
    run.child.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code, run.output()).toBe(143);
    expect(run.output()).toMatch(/SIGTERM: stopping/);
    const c = await counts(dir);
    expect(c.leased).toBe(0);
    expect(c.failed).toBe(0);
    expect(c.pending).toBeGreaterThan(0);
    expect(c.done + c.pending).toBe(replica.usernames.length);
    expect(storedUsers(results)).toBe(c.done);
  });

  it('a second SIGINT exits at once; a later run completes exactly the truth, nothing twice', async () => {
    const { dir, results, args, resumeArgs } = setup('double', replica, 'http');
    // A long grace: only the second signal can make the process exit before users finish.
    const first = startCli([...args, '--stop-timeout', '60000']);
    await waitFor(() => storedUsers(results) >= 5, 60_000, '5 users stored');
    first.child.kill('SIGINT');
    await waitFor(() => /SIGINT: stopping/.test(first.output()), 10_000, 'the first signal logged');
    first.child.kill('SIGINT');
    const { code } = await first.exit;
    expect(code, first.output()).toBe(130);
    expect(first.output()).toMatch(/second SIGINT: exiting now/);
    const after = await counts(dir);
    // It left without returning its in-flight users: their leases are still held.
    expect(after.leased, first.output()).toBeGreaterThan(0);
    expect(after.done).toBeLessThan(replica.usernames.length);

    const second = startCli(resumeArgs);
    const { code: code2 } = await second.exit;
    expect(code2, second.output()).toBe(0);
    expect(await counts(dir)).toMatchObject({
      done: replica.usernames.length,
      pending: 0,
      leased: 0,
      failed: 0,
    });
    const store = await openResultStore(results);
    try {
      const diffs: string[] = [];
      for (const u of replica.usernames) diffs.push(...(await diffAgainstTruth(store, u, replica.truth(u)!)));
      expect(diffs.slice(0, 10)).toEqual([]);
      expect((await store.counts()).snapshots).toBe(replica.usernames.length);
    } finally {
      await store.close();
    }
  });

  async function startWithBrowsers(name: string): Promise<{ run: CliRun; tag: string; dir: string }> {
    const { dir, results, args } = setup(name, legacy, 'playwright');
    const tag = randomUUID();
    const run = startCli([...args, '--stop-timeout', '3000'], { env: { [TAG]: tag } });
    await waitFor(() => storedUsers(results) >= 1, 60_000, 'a user stored through the browser');
    // The browsers are really there, children of the CLI, while it crawls.
    expect(browserDescendants(run.child.pid!).length).toBeGreaterThan(0);
    expect(taggedBrowsers(tag).length).toBeGreaterThan(0);
    return { run, tag, dir };
  }

  it('with --driver playwright, one SIGINT leaves no Chromium process behind', async () => {
    const { run, tag, dir } = await startWithBrowsers('pw-sigint');
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code, run.output()).toBe(130);
    expect(await leftoverBrowsers(tag)).toEqual([]);
    const c = await counts(dir);
    expect(c.leased).toBe(0);
    expect(c.done + c.pending).toBe(legacy.usernames.length);
  });

  it('with --driver playwright, a second SIGTERM exits at once and still leaves no Chromium behind', async () => {
    const { run, tag } = await startWithBrowsers('pw-double');
    run.child.kill('SIGTERM');
    await waitFor(() => /SIGTERM: stopping/.test(run.output()), 10_000, 'the first signal logged');
    run.child.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code, run.output()).toBe(143);
    expect(run.output()).toMatch(/second SIGTERM: exiting now/);
    expect(await leftoverBrowsers(tag)).toEqual([]);
  });
});
