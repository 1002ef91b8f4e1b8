import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeUserFileName } from '../../src/report/safe-file-name.js';
import { type Replica, startReplica } from '../../src/testing/replica/index.js';
import { runCli as cli } from '../helpers/cli-process.js';

/** Runs the built CLI to its end; returns the exit code and everything it printed. */
/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks (crawled titles do). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') field += body[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && body[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('a recrawl that fails keeps the last good result visible', () => {
  let replica: Replica;
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-recrawl-'));

  beforeAll(async () => {
    replica = await startReplica({ users: 6, seed: 23 });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('JSONL, CSV and the report show the earlier articles with status failed, the reason and the last good crawl', {
    timeout: 120_000,
  }, async () => {
    const users = replica.usernames.filter((u) => (replica.truth(u)?.articles.length ?? 0) > 0).slice(0, 3);
    expect(users.length).toBeGreaterThan(1);
    const common = ['--base-url', replica.url, '--driver', 'http'];

    const first = await cli(['run', ...common, ...users], root);
    expect(first.code, first.output).toBe(0);

    // The site now puts a script challenge in front of everything: with the browser off, every
    // user of the recrawl ends failed.
    replica.setFaults({ challenge: true });
    const queued = await cli(['add', '--recrawl', ...users], root);
    expect(queued.code, queued.output).toBe(0);
    const second = await cli(['run', ...common], root);
    expect(second.code, second.output).toBe(5);

    const jsonl = path.join(root, 'out.jsonl');
    const csv = path.join(root, 'out.csv');
    expect((await cli(['export', '--format', 'jsonl', '--out', jsonl], root)).code).toBe(0);
    expect((await cli(['export', '--format', 'csv', '--out', csv], root)).code).toBe(0);

    const records = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.map((r) => r.username).sort()).toEqual([...users].sort());
    for (const record of records) {
      const truth = replica.truth(record.username)!;
      expect(record.status).toBe('failed');
      expect(record.reason).toEqual(expect.any(String));
      expect(record.articles.map((a: { articleId: string }) => a.articleId).sort()).toEqual(
        truth.articles.map((a) => a.articleId).sort(),
      );
      expect(record.profile?.username).toBe(record.username);
      // The failure is newer than the good result it stands beside.
      expect(Date.parse(record.lastGoodCrawledAt)).toBeLessThan(Date.parse(record.lastCrawledAt));
    }

    const [header, ...rows] = parseCsv(readFileSync(csv, 'utf8'));
    const col = (name: string) => header.indexOf(name);
    expect(col('userStatus')).toBeGreaterThan(-1);
    expect(col('lastGoodCrawledAt')).toBeGreaterThan(-1);
    const expected = users.reduce((n, u) => n + replica.truth(u)!.articles.length, 0);
    expect(rows.length).toBe(expected);
    for (const row of rows) {
      expect(row[col('userStatus')]).toBe('failed');
      expect(Number.isNaN(Date.parse(row[col('lastGoodCrawledAt')]))).toBe(false);
    }

    // The report: each user's page says failed, why, and which good crawl it still shows.
    const reportDir = path.join(root, 'report');
    const report = await cli(['report', '--out', reportDir], root);
    expect(report.code, report.output).toBe(0);
    for (const username of users) {
      const page = readFileSync(path.join(reportDir, 'users', safeUserFileName(username)), 'utf8');
      expect(page).toContain('id="user-status">failed<');
      expect(page).toContain('id="user-last-good"');
      const newest = replica.truth(username)!.articles[0];
      expect(page).toContain(newest.articleId);
    }
  });
});
