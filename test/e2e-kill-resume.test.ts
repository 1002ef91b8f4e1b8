import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { startCli, waitFor } from './helpers/cli-process.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';
import { storedUsers } from './helpers/stored-users.js';

describe('the crawler as a real process', () => {
  let replica: Replica;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-kill-'));

  beforeAll(async () => {
    replica = await startReplica({ users: 120, seed: 11, faults: { latencyMs: 15, jitterMs: 10 } });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(root, { recursive: true, force: true });
  });

  function setup(name: string) {
    const dir = path.join(root, name);
    const idsFile = path.join(root, `${name}-ids.txt`);
    writeFileSync(idsFile, `# test users\n${replica.usernames.join('\n')}\n`);
    const config = path.join(root, `${name}.config.json`);
    writeFileSync(
      config,
      JSON.stringify({
        politeness: { maxInFlightPerHost: 4, minDelayMs: 0 },
        requestTimeoutMs: 3000,
        leaseMs: 60_000,
      }),
    );
    const args = [
      'run',
      '--base-url',
      replica.url,
      '--data-dir',
      dir,
      '--config',
      config,
      '--driver',
      'http',
      '--concurrency',
      '4',
    ];
    return { dir, args: [...args, '--ids-file', idsFile], resumeArgs: args };
  }

  it('after SIGKILL mid-run, a second run completes with exactly the truth and nothing twice', async () => {
    const { dir, args, resumeArgs } = setup('kill');
    const results = path.join(dir, 'results.sqlite');
    const first = startCli(args);
    await waitFor(() => storedUsers(results) >= 30, 60_000, '30 users stored');
    first.child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    const storedBefore = storedUsers(results);
    expect(storedBefore).toBeLessThan(replica.usernames.length);

    const second = startCli(resumeArgs);
    const { code } = await second.exit;
    expect(code, second.output()).toBe(0);

    const state = await openStateStore(path.join(dir, 'state.sqlite'));
    const counts = await state.counts();
    await state.close();
    expect(counts).toMatchObject({ done: replica.usernames.length, pending: 0, leased: 0, failed: 0 });

    const store = await openResultStore(results);
    try {
      const diffs: string[] = [];
      for (const u of replica.usernames) diffs.push(...(await diffAgainstTruth(store, u, replica.truth(u)!)));
      expect(diffs.slice(0, 10)).toEqual([]);
      // One profile snapshot per user: users stored before the kill were not crawled again.
      expect((await store.counts()).snapshots).toBe(replica.usernames.length);
    } finally {
      await store.close();
    }

    const status = startCli(['status', '--data-dir', dir]);
    expect((await status.exit).code).toBe(0);
    expect(status.output()).toMatch(new RegExp(`done\\s+${replica.usernames.length}\\n`));
    expect(status.output()).toMatch(
      /last run \(.+\) ended \d{4}-\d\d-\d\dT.*: \d+ done, 0 not found, 0 failed/,
    );

    // The crawl feeds the report and the exports.
    const reportDir = path.join(root, 'report');
    const report = startCli(['report', '--data-dir', dir, '--out', reportDir]);
    expect((await report.exit).code, report.output()).toBe(0);
    expect(readdirSync(path.join(reportDir, 'users')).length).toBe(replica.usernames.length);
    const csv = path.join(root, 'out.csv');
    const exported = startCli(['export', '--data-dir', dir, '--format', 'csv', '--out', csv]);
    expect((await exported.exit).code).toBe(0);
    const text = readFileSync(csv, 'utf8');
    expect(text.startsWith('\uFEFFusername,articleId,title')).toBe(true);
    const articles = replica.usernames.reduce((n, u) => n + replica.truth(u)!.articles.length, 0);
    expect(text.trimEnd().split('\r\n').length).toBe(articles + 1);
  });

  it('one SIGINT stops cleanly with exit 130 and every unfinished user back in pending', async () => {
    const { dir, args } = setup('sigint');
    const results = path.join(dir, 'results.sqlite');
    const run = startCli(args);
    await waitFor(() => storedUsers(results) >= 10, 60_000, '10 users stored');
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code, run.output()).toBe(130);
    expect(run.output()).toMatch(/SIGINT: stopping/);

    const state = await openStateStore(path.join(dir, 'state.sqlite'));
    const counts = await state.counts();
    await state.close();
    expect(counts.leased).toBe(0);
    expect(counts.done + counts.pending).toBe(replica.usernames.length);
    expect(counts.pending).toBeGreaterThan(0);
    expect(storedUsers(results)).toBe(counts.done);
  });

  it('rejects invalid IDs one line each and crawls the rest', async () => {
    const { dir } = setup('invalid');
    const run = startCli([
      'run',
      '--base-url',
      replica.url,
      '--data-dir',
      dir,
      '--driver',
      'http',
      'bad/../id',
      replica.usernames[0],
    ]);
    const { code } = await run.exit;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/skipped invalid ID "bad\/\.\.\/id": /);
    expect(storedUsers(path.join(dir, 'results.sqlite'))).toBe(1);
  });
});
