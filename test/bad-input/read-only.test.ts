import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Crawled, crawlSome, listing, runCli, tempDir } from './harness.js';

let crawl: Crawled;

beforeAll(async () => {
  crawl = await crawlSome('readonly');
});
afterAll(async () => {
  chmodSync(crawl.dataDir, 0o755);
  await crawl?.close();
});

/** Root ignores file modes, so the read-only checks run the CLI as nobody when the tests run as root. */
const reader = process.getuid?.() === 0 ? 65534 : undefined;

describe('status, export and report only read', () => {
  it('status in an empty directory says there is no data yet and creates nothing', async () => {
    const dir = tempDir('empty');
    const result = await runCli(['status'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `no data yet in ${path.join(dir, '.csdn-crawl')} (start with: csdn-crawl run <id>)\n`,
    );
    const json = await runCli(['status', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ noData: true, counts: { done: 0, pending: 0 } });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('export and report of an empty directory give empty output and create no store', async () => {
    const dir = tempDir('empty-export');
    const result = await runCli(['export', '--out', '-'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('on a read-only data directory they work and leave every file as it was', async () => {
    const before = listing(crawl.dataDir);
    const out = tempDir('ro-out');
    chmodSync(out, 0o777);
    chmodSync(path.dirname(crawl.dataDir), 0o755);
    chmodSync(crawl.dataDir, 0o555);
    for (const sub of readdirSync(crawl.dataDir)) chmodSync(path.join(crawl.dataDir, sub), 0o555);
    const as = { uid: reader };
    const status = await runCli(['status', '--data-dir', crawl.dataDir, '--json'], as);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).counts).toEqual(crawl.before.counts);
    const exported = await runCli(['export', '--data-dir', crawl.dataDir, '--out', '-'], as);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(crawl.before.export);
    const report = await runCli(['report', '--data-dir', crawl.dataDir, '--out', path.join(out, 'r')], as);
    expect(report.code, report.stderr).toBe(0);
    expect(readdirSync(path.join(out, 'r', 'users'))).toHaveLength(4);
    // A command that writes says so in one line instead of failing half way.
    const add = await runCli(['add', '--data-dir', crawl.dataDir, 'someone'], as);
    expect(add.code).toBe(3);
    expect(add.stderr).not.toMatch(/^\s+at /m);
    for (const sub of readdirSync(crawl.dataDir)) chmodSync(path.join(crawl.dataDir, sub), 0o755);
    chmodSync(crawl.dataDir, 0o755);
    expect(listing(crawl.dataDir)).toEqual(before);
  });

  it('reading does not create -wal/-shm files in a writable data directory either', async () => {
    const before = listing(crawl.dataDir);
    expect((await runCli(['status', '--data-dir', crawl.dataDir])).code).toBe(0);
    expect((await runCli(['export', '--data-dir', crawl.dataDir, '--out', '-'])).code).toBe(0);
    mkdirSync(path.join(crawl.dataDir, '..', 'rep2'), { recursive: true });
    expect(
      (await runCli(['report', '--data-dir', crawl.dataDir, '--out', path.join(crawl.dataDir, '..', 'rep2')]))
        .code,
    ).toBe(0);
    expect(listing(crawl.dataDir)).toEqual(before);
  });
});
