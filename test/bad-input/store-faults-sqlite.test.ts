import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { createCrawler } from '../../src/crawler/create-crawler.js';
import { openStateStore } from '../../src/stores/open.js';
import { openSqliteResultStore } from '../../src/stores/sqlite-result-store.js';
import { type Replica, startReplica } from '../../src/testing/replica/index.js';
import { runCli as cli, errorLines } from '../helpers/cli-process.js';
import { storedUsers } from '../helpers/stored-users.js';

/**
 * `dd if=/dev/urandom of=results.sqlite bs=1 seek=8192 count=65536 conv=notrunc`, with fixed
 * pseudo-random bytes so that every run damages the same pages the same way.
 */
function overwritePages(file: string, seek = 8192, count = 65536): void {
  const bytes = Buffer.alloc(count);
  let x = 0x2545f491;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, count, seek);
  } finally {
    closeSync(fd);
  }
}

describe('a SQLite store that goes bad', () => {
  let replica: Replica;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-sqlite-fault-'));

  beforeAll(async () => {
    replica = await startReplica({ users: 40, seed: 31 });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a damaged results file stops the run with exit 3 and one line naming it; the state stays consistent', {
    timeout: 120_000,
  }, async () => {
    const cwd = path.join(root, 'dd');
    const config = path.join(root, 'fast.config.json');
    writeFileSync(config, JSON.stringify({ politeness: { maxInFlightPerHost: 8, minDelayMs: 0 } }));
    const common = ['--base-url', replica.url, '--driver', 'http', '--data-dir', cwd, '--config', config];
    const [first, ...rest] = replica.usernames;
    const before = replica.usernames.slice(0, 25);
    const crawled = await cli(['run', ...common, ...before], root);
    expect(crawled.code, crawled.output).toBe(0);
    const results = path.join(cwd, 'results.sqlite');
    expect(storedUsers(results)).toBe(before.length);

    overwritePages(results);
    const later = rest.slice(before.length - 1);
    const run = await cli(['run', ...common, first, ...later], root);
    expect(run.code, run.output).toBe(3);
    const errors = errorLines(run.output);
    expect(errors, run.output).toHaveLength(1);
    expect(errors[0]).toContain(results);
    expect(errors[0]).toContain('damaged');
    // Reported once, at the end, not per user.
    expect(run.output).not.toContain('unexpected error');
    expect(run.output.split('\n').filter((line) => line.includes(results))).toHaveLength(1);

    // The state store was fine: nothing is left leased, nothing was marked failed, every new user
    // waits in pending for a run on a repaired file.
    const state = await openStateStore(path.join(cwd, 'state.sqlite'));
    try {
      const counts = await state.counts();
      expect(counts).toMatchObject({ leased: 0, failed: 0, done: before.length, pending: later.length });
    } finally {
      await state.close();
    }

    // Export reads the damaged file too: it either succeeds or says the same, never a stack.
    const exported = await cli(['export', '--data-dir', cwd, '--out', path.join(cwd, 'out.jsonl')], root);
    expect([0, 3], exported.output).toContain(exported.code);
    if (exported.code === 3) expect(errorLines(exported.output)[0]).toContain(results);
    expect(exported.output).not.toContain('unexpected error');
  });

  it('a full disk (SQLITE_FULL from a real file) stops the run: run() rejects with a fatal StoreError', {
    timeout: 60_000,
  }, async () => {
    const dir = path.join(root, 'full');
    const results = await openSqliteResultStore(path.join(dir, 'results.sqlite'));
    const state = await openStateStore(path.join(dir, 'state.sqlite'));
    try {
      // The file may not grow past its current size: the next user's articles cannot be written.
      const pages = (results.raw.pragma('page_count', { simple: true }) as number) + 1;
      results.raw.pragma(`max_page_count = ${pages}`);
      const crawler = createCrawler({
        baseUrl: replica.url,
        dataDir: dir,
        driver: 'http',
        ids: replica.usernames.slice(0, 10),
        concurrency: 2,
        stateStore: state,
        resultStore: results,
      });
      const error = await crawler.run().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).transient).toBe(false);
      expect((error as StoreError).message).toContain('disk is full');
      const counts = await state.counts();
      expect(counts.leased).toBe(0);
      expect(counts.failed).toBe(0);
      expect(counts.pending).toBeGreaterThan(0);
    } finally {
      await results.close();
      await state.close();
    }
  });
});
