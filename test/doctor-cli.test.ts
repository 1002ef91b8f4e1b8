import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { startCli, waitFor } from './helpers/cli-process.js';

let dir: string;
let normal: Replica;
let drifted: Replica;
let user: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'csdn-doctor-cli-'));
  normal = await startReplica({ users: 30 });
  drifted = await startReplica({ users: 30, drift: ['renamed-fields'] });
  user = normal.usernames.find((u) => (normal.truth(u)?.articles.length ?? 0) > 30) ?? '';
  expect(user).not.toBe('');
});

afterAll(async () => {
  await normal.close();
  await drifted.close();
  rmSync(dir, { recursive: true, force: true });
});

async function doctor(args: string[], cwd = dir) {
  const run = startCli(['doctor', ...args], { cwd });
  const { code } = await run.exit;
  return { code, output: run.output() };
}

describe('csdn-crawl doctor (real process)', () => {
  it('prints a table of ok checks and exits 0 on the normal replica', async () => {
    const { code, output } = await doctor(['--base-url', normal.url, '--users', user, '--data-dir', 'd0']);
    expect(output).toMatch(/^check\s+target\s+result\s+detail$/m);
    expect(output).toMatch(/^business-list\.fields\s+\S+\s+ok\s/m);
    expect(output).toMatch(/0 changed, 0 blocked/);
    expect(code).toBe(0);
    expect(existsSync(path.join(dir, 'd0', 'doctor'))).toBe(false);
  });

  it('names the renamed fields, saves the evidence and exits 7 on a drifted site', async () => {
    const { code, output } = await doctor(['--base-url', drifted.url, '--users', user, '--data-dir', 'd1']);
    expect(output).toMatch(/^business-list\.fields\s+\S+\s+CHANGED\s+missing articleId, viewCount/m);
    expect(output).toMatch(/evidence in /);
    expect(code).toBe(7);
    const runs = readdirSync(path.join(dir, 'd1', 'doctor'));
    expect(runs).toHaveLength(1);
    expect(readdirSync(path.join(dir, 'd1', 'doctor', runs[0])).sort()).toEqual([
      'checks.json',
      'response-01.json',
    ]);
  });

  it('prints one JSON object with --json and takes probe users from the config file', async () => {
    const cwd = mkdtempSync(path.join(dir, 'cfg-'));
    writeFileSync(
      path.join(cwd, 'csdn-crawl.config.json'),
      JSON.stringify({ baseUrl: drifted.url, dataDir: 'data', doctor: { users: [user] } }),
    );
    const { code, output } = await doctor(['--json'], cwd);
    const report = JSON.parse(output);
    expect(report.verdict).toBe('drift');
    expect(report.exitCode).toBe(7);
    expect(report.checks.filter((c: { status: string }) => c.status === 'changed')).toEqual([
      expect.objectContaining({ check: 'business-list.fields', target: user }),
    ]);
    expect(code).toBe(7);
  });

  it('asks for probe users on a site other than blog.csdn.net (one line, exit 2)', async () => {
    const { code, output } = await doctor(['--base-url', normal.url, '--data-dir', 'd2']);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/doctor needs probe users .*--users/);
    expect(code).toBe(2);
  });

  it('serves the drift named by `replica --drift`, which doctor then names', async () => {
    const replica = startCli(['replica', '--port', '0', '--users', '30', '--drift', 'page-cap'], {
      cwd: dir,
    });
    try {
      await waitFor(() => /check it with: /.test(replica.output()), 20_000, 'the replica banner');
      expect(replica.output()).toMatch(/drift: page-cap\)/);
      const url = /serving \d+ users at (http:\/\/[^\s]+)/.exec(replica.output())?.[1] ?? '';
      const { code, output } = await doctor(['--base-url', url, '--users', user, '--data-dir', 'd3']);
      expect(output).toMatch(/^business-list\.page-size\s+\S+\s+CHANGED\s+page size capped at 20/m);
      expect(code).toBe(7);
    } finally {
      replica.child.kill('SIGTERM');
      await replica.exit;
    }
  });

  it('rejects an unknown replica drift with one line and exit 2', async () => {
    const run = startCli(['replica', '--port', '0', '--drift', 'page-cap,nope'], { cwd: dir });
    const { code } = await run.exit;
    expect(run.output().trim()).toMatch(
      /^csdn-crawl: unknown drift "nope" \(use a comma-separated list of renamed-fields/,
    );
    expect(code).toBe(2);
  });
});
