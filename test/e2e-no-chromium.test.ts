import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { startCli } from './helpers/cli-process.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';

/** A PATH on which no Chromium can be found (the CLI is started by absolute node path). */
const NO_CHROMIUM_PATH = '/nonexistent-bin';

describe('a machine without Chromium', () => {
  let replica: Replica;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-nochrome-'));
  let idsFile: string;

  beforeAll(async () => {
    replica = await startReplica({ users: 8, seed: 21 });
    idsFile = path.join(root, 'ids.txt');
    writeFileSync(idsFile, `${replica.usernames.join('\n')}\n`);
  });
  afterAll(async () => {
    await replica.close();
    rmSync(root, { recursive: true, force: true });
  });

  function args(name: string, driver: string, browser?: Record<string, unknown>) {
    const config = path.join(root, `${name}.config.json`);
    writeFileSync(
      config,
      JSON.stringify({
        politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
        ...(browser ? { browser } : {}),
      }),
    );
    const dir = path.join(root, name);
    return {
      dir,
      args: ['run', '--base-url', replica.url, '--data-dir', dir, '--config', config, '--driver', driver],
    };
  }

  async function expectAllDone(dir: string) {
    const state = await openStateStore(path.join(dir, 'state.sqlite'));
    const counts = await state.counts();
    await state.close();
    expect(counts).toMatchObject({ done: replica.usernames.length, pending: 0, leased: 0, failed: 0 });
    const results = await openResultStore(path.join(dir, 'results.sqlite'));
    try {
      const diffs: string[] = [];
      for (const u of replica.usernames)
        diffs.push(...(await diffAgainstTruth(results, u, replica.truth(u)!)));
      expect(diffs).toEqual([]);
    } finally {
      await results.close();
    }
  }

  it('--driver auto with browser.executablePath pointing nowhere still crawls over HTTP', async () => {
    const { dir, args: a } = args('auto-path', 'auto', {
      executablePath: path.join(root, 'no-such-chromium'),
    });
    const run = startCli([...a, '--ids-file', idsFile]);
    const { code } = await run.exit;
    expect(code, run.output()).toBe(0);
    // Said once, not once per user.
    expect(run.output().match(/browser fallback disabled: Chromium not found at/g)).toHaveLength(1);
    await expectAllDone(dir);
  });

  it('--driver auto with no Chromium on PATH still crawls over HTTP', async () => {
    const { dir, args: a } = args('auto-env', 'auto');
    const run = startCli([...a, '--ids-file', idsFile], { env: { PATH: NO_CHROMIUM_PATH } });
    const { code } = await run.exit;
    expect(code, run.output()).toBe(0);
    expect(run.output().match(/browser fallback disabled: no Chromium found/g)).toHaveLength(1);
    await expectAllDone(dir);
  });

  it('--driver playwright with no Chromium on PATH exits 4 with one line naming the install command', async () => {
    const { args: a } = args('pw-env', 'playwright');
    const run = startCli([...a, '--ids-file', idsFile], { env: { PATH: NO_CHROMIUM_PATH } });
    const { code } = await run.exit;
    expect(code, run.output()).toBe(4);
    const lines = run.output().trim().split('\n');
    expect(lines, run.output()).toHaveLength(1);
    expect(lines[0]).toMatch(/^csdn-crawl: .*apt-get install -y chromium/);
  });

  it('--driver playwright with browser.executablePath pointing nowhere exits 4 naming the path', async () => {
    const missing = path.join(root, 'no-such-chromium');
    const { args: a } = args('pw-path', 'playwright', { executablePath: missing });
    const run = startCli([...a, '--ids-file', idsFile]);
    const { code } = await run.exit;
    expect(code, run.output()).toBe(4);
    const lines = run.output().trim().split('\n');
    expect(lines, run.output()).toHaveLength(1);
    expect(lines[0]).toContain(`Chromium not found at ${missing}`);
  });
});
