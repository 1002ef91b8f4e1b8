import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli-process.js';
import { type Crawled, crawlSome, damagedCopy, expectOneLine, runCli } from './harness.js';

let crawl: Crawled;
let dir: string;

beforeAll(async () => {
  crawl = await crawlSome('output');
  dir = path.join(crawl.dataDir, '..', 'out');
  mkdirSync(dir);
});
afterAll(() => crawl?.close());

describe('export and report replace their output only when they succeed', () => {
  it('a failing export leaves the earlier export file as it was (exit 3, one line)', async () => {
    const file = path.join(dir, 'users.jsonl');
    const good = await runCli(['export', '--data-dir', crawl.dataDir, '--out', file]);
    expect(good.code, good.stderr).toBe(0);
    const earlier = readFileSync(file, 'utf8');
    expect(earlier).toBe(crawl.before.export);
    // Opens fine, fails on the articles half way through: the output was already being written.
    const damaged = path.join(dir, 'damaged.sqlite');
    await damagedCopy(path.join(crawl.dataDir, 'results.sqlite'), 'articles', damaged);
    const bad = await runCli(['export', '--results', damaged, '--out', file]);
    expectOneLine(bad, 3, /damaged\.sqlite|malformed/);
    expect(readFileSync(file, 'utf8')).toBe(earlier);
    // No temporary file is left beside it.
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('--out - writes the data alone on stdout, the summary on stderr', async () => {
    const result = await runCli(['export', '--data-dir', crawl.dataDir, '--out', '-']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(crawl.before.export);
    expect(result.stderr).toMatch(/^exported 4 users and \d+ articles to stdout\n$/);
  });

  it('--out /dev/stdout > file: the file holds the data alone', async () => {
    const file = path.join(dir, 'redirected.jsonl');
    const fd = openSync(file, 'w');
    const child = spawn(
      process.execPath,
      [BIN, 'export', '--data-dir', crawl.dataDir, '--out', '/dev/stdout'],
      {
        stdio: ['ignore', fd, 'pipe'],
      },
    );
    closeSync(fd);
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'close');
    expect(code, stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(crawl.before.export);
    expect(stderr).toMatch(/^exported 4 users/);
  });

  it('--out naming a directory: exit 3, one line, nothing written', async () => {
    expectOneLine(
      await runCli(['export', '--data-dir', crawl.dataDir, '--out', dir]),
      3,
      /cannot write .*out: it is a directory/,
    );
  });

  it('report --out naming a file or a path below a file: exit 3, one line, the file kept', async () => {
    const file = path.join(dir, 'not-a-dir.txt');
    writeFileSync(file, 'keep me');
    expectOneLine(
      await runCli(['report', '--data-dir', crawl.dataDir, '--out', file]),
      3,
      /not-a-dir\.txt: it is a file, not a directory/,
    );
    expectOneLine(
      await runCli(['report', '--data-dir', crawl.dataDir, '--out', path.join(file, 'sub')]),
      3,
      /it is below something that is not a directory/,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('a failing report leaves the previous report usable', async () => {
    const out = path.join(dir, 'report');
    const good = await runCli(['report', '--data-dir', crawl.dataDir, '--out', out]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout.trim()).toBe(path.join(out, 'index.html'));
    const index = readFileSync(path.join(out, 'index.html'), 'utf8');
    const pages = readdirSync(path.join(out, 'users')).sort();
    expect(pages).toHaveLength(4);
    const damaged = path.join(dir, 'damaged-report.sqlite');
    await damagedCopy(path.join(crawl.dataDir, 'results.sqlite'), 'articles', damaged);
    expectOneLine(
      await runCli(['report', '--results', damaged, '--out', out]),
      3,
      /damaged-report\.sqlite|malformed/,
      /^report: \d+\/\d+ users/,
    );
    expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toBe(index);
    expect(readdirSync(path.join(out, 'users')).sort()).toEqual(pages);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});

describe('a closed pipe ends the command quietly', () => {
  for (const args of [['status'], ['export', '--out', '-']]) {
    it(`${args.join(' ')} | (reader gone): exit 0, no EPIPE stack`, async () => {
      const child = spawn(process.execPath, [BIN, ...args, '--data-dir', crawl.dataDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The reader goes away before the command writes anything, as `| head` does after its lines.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const [code] = await once(child, 'close');
      expect(stderr).not.toMatch(/EPIPE|^\s+at /m);
      expect(code).toBe(0);
    });
  }

  it('the data survived all of the above', async () => {
    expect(await crawl.now()).toEqual(crawl.before);
    expect(existsSync(path.join(crawl.dataDir, 'state.sqlite'))).toBe(true);
  });
});
