import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Crawled, crawlSome, expectOneLine, runCli, tempDir } from './harness.js';

let crawl: Crawled;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  crawl = await crawlSome('mistakes');
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy?.close(resolve));
  await crawl?.close();
});

describe('user mistakes end in one line and exit 2 or 3, never a stack', () => {
  it('a busy port for serve and replica: exit 2', async () => {
    const report = path.join(crawl.dataDir, '..', 'report');
    expect((await runCli(['report', '--data-dir', crawl.dataDir, '--out', report])).code).toBe(0);
    expectOneLine(
      await runCli(['serve', report, '--port', String(busyPort)]),
      2,
      new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is already in use`),
    );
    expectOneLine(await runCli(['replica', '--port', String(busyPort), '--users', '3']), 2, /already in use/);
  });

  it('bad numbers: --port 99999, --users abc: exit 2', async () => {
    expectOneLine(
      await runCli(['replica', '--port', '99999']),
      2,
      /--port must be a whole number from 0 to 65535, got "99999"/,
    );
    expectOneLine(
      await runCli(['replica', '--users', 'abc']),
      2,
      /--users must be a whole number .* got "abc"/,
    );
    expectOneLine(await runCli(['serve', '.', '--port', 'http']), 2, /--port must be a whole number/);
  });

  it('serve a directory that does not exist, or holds no report: exit 2', async () => {
    const dir = tempDir('serve');
    expectOneLine(
      await runCli(['serve', path.join(dir, 'nodir')]),
      2,
      /nodir is not a directory \(it does not exist\)/,
    );
    expectOneLine(await runCli(['serve', dir]), 2, /holds no report \(no index\.html\)/);
  });

  it('fatal errors under --json are one JSON line on stderr', async () => {
    const result = await runCli([
      'run',
      '--json',
      '--data-dir',
      crawl.dataDir,
      '--driver',
      'http',
      '../etc/passwd',
    ]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]);
    expect(last).toMatchObject({ level: 'error', error: 'INVALID_INPUT', exitCode: 2 });
    expect(last.message).toMatch(/none of the 1 IDs given is valid/);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const unknown = await runCli(['run', '--json', '--concurency', '3']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: 'USAGE', exitCode: 2 });
  });

  it('a 0-byte state file is refused (exit 3), not silently a new store', async () => {
    const dir = tempDir('empty-state');
    writeFileSync(path.join(dir, 'state.sqlite'), '');
    for (const command of [['status'], ['add', 'someone']]) {
      expectOneLine(
        await runCli([...command, '--data-dir', dir]),
        3,
        /state\.sqlite is empty \(0 bytes\), so it is not used as the state store \(restore it from a backup, or delete it/,
      );
    }
    expect(readdirSync(dir)).toEqual(['state.sqlite']);
  });

  it('run <id> for an ID already done prints how to crawl it again', async () => {
    const id = crawl.replica.usernames[0];
    const result = await crawl.run([id]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `already crawled ${id} (done); to crawl again: csdn-crawl add --recrawl ${id}`,
    );
  });

  it('earlier results are intact after all of the above', async () => {
    const now = await crawl.now();
    expect(now.counts).toEqual(crawl.before.counts);
    expect(now.export).toBe(crawl.before.export);
    expect(existsSync(path.join(crawl.dataDir, 'results.sqlite'))).toBe(true);
  });
});
