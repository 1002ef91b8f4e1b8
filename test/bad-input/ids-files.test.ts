import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Crawled, crawlSome, expectOneLine, runCli } from './harness.js';

let crawl: Crawled;
let dir: string;

beforeAll(async () => {
  crawl = await crawlSome('ids');
  dir = path.join(crawl.dataDir, '..');
});
afterAll(() => crawl?.close());

const counts = async () =>
  JSON.parse((await runCli(['status', '--data-dir', crawl.dataDir, '--json'])).stdout).counts;

describe('--ids-file is one ID per line', () => {
  it('a CSV export passed by mistake is refused in one line, nothing queued', async () => {
    const csv = path.join(dir, 'articles.csv');
    const exported = await runCli(['export', '--data-dir', crawl.dataDir, '--format', 'csv', '--out', csv]);
    expect(exported.code, exported.stderr).toBe(0);
    const result = await runCli(['add', '--data-dir', crawl.dataDir, '--ids-file', csv]);
    expectOneLine(result, 2, /articles\.csv looks like a CSV file \(first line "username,articleId,/);
    expect(await counts()).toEqual(crawl.before.counts);
  });

  it('a JSONL export passed by mistake is refused too', async () => {
    const jsonl = path.join(dir, 'users.jsonl');
    writeFileSync(jsonl, crawl.before.export);
    const result = await runCli([
      'run',
      '--data-dir',
      crawl.dataDir,
      '--driver',
      'http',
      '--ids-file',
      jsonl,
    ]);
    expectOneLine(result, 2, /users\.jsonl looks like a JSONL export/);
  });

  it('binary input (NUL bytes, not UTF-8) is refused in one line', async () => {
    const bin = path.join(dir, 'image.bin');
    writeFileSync(bin, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)));
    expectOneLine(
      await runCli(['add', '--data-dir', crawl.dataDir, '--ids-file', bin]),
      2,
      /image\.bin is binary/,
    );
    const latin1 = path.join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x61, 0x0a, 0xe9, 0x74, 0xe9, 0x0a]));
    expectOneLine(
      await runCli(['add', '--data-dir', crawl.dataDir, '--ids-file', latin1]),
      2,
      /latin1\.txt is not UTF-8 text/,
    );
    expect(await counts()).toEqual(crawl.before.counts);
  });

  it('a line with spaces or commas is one invalid ID; many are summarised, each cut short', async () => {
    const file = path.join(dir, 'mixed.txt');
    const huge = 'x'.repeat(1_000_000);
    const junk = Array.from({ length: 300 }, (_, i) => `junk ${i}`);
    writeFileSync(file, ['# comment', 'good_one', 'bad id', 'a,b', huge, ...junk, '', 'good-two'].join('\n'));
    const result = await runCli(['add', '--data-dir', crawl.dataDir, '--ids-file', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('added 2 of 2 IDs to pending\n');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^skipped 303 invalid IDs: "bad id", "a,b", "x{60}… \(1000000 chars\)", "junk 0", "junk 1" and 298 more/,
    );
    expect(result.stderr.length).toBeLessThan(600);
    const pending = (await counts()).pending;
    expect(pending).toBe(2);
    // `bad id` did not become two users: only the two good IDs were queued.
    const removed = await runCli(['remove', '--data-dir', crawl.dataDir, 'good_one', 'good-two', 'bad']);
    expect(removed.stdout).toBe('removed 2 of 3 IDs (1 were not queued)\n');
    expect(await counts()).toEqual(crawl.before.counts);
  });

  it('-- ends the options, so an ID may start with -', async () => {
    const added = await runCli(['add', '--data-dir', crawl.dataDir, '--', '-dash_user', '--double']);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe('added 2 of 2 IDs to pending\n');
    expect((await counts()).pending).toBe(2);
    const removed = await runCli(['remove', '--data-dir', crawl.dataDir, '--', '-dash_user', '--double']);
    expect(removed.stdout).toBe('removed 2 of 2 IDs (0 were not queued)\n');
    expect(await counts()).toEqual(crawl.before.counts);
  });

  it('remove takes crawled IDs out of done as well; add brings them back', async () => {
    const done = crawl.replica.usernames[0];
    const removed = await runCli(['remove', '--data-dir', crawl.dataDir, done]);
    expect(removed.stdout).toBe('removed 1 of 1 IDs (0 were not queued)\n');
    expect((await counts()).done).toBe(3);
    await runCli(['add', '--data-dir', crawl.dataDir, done]);
    expect((await counts()).pending).toBe(1);
    const run = await crawl.run();
    expect(run.code, run.stderr).toBe(0);
    expect(await crawl.now()).toEqual({ ...crawl.before, export: expect.any(String) });
    expect((await crawl.now()).export.split('\n').length).toBe(crawl.before.export.split('\n').length);
  });

  it('remove with no IDs is a usage error', async () => {
    expectOneLine(await runCli(['remove', '--data-dir', crawl.dataDir]), 2, /no IDs to remove/);
  });
});
