import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/core/errors.js';
import type { Article } from '../src/core/model.js';
import type { ResultStore } from '../src/core/result-store.js';
import { exportResults } from '../src/export/export-results.js';
import { openSqliteResultStore, type SqliteResultStore } from '../src/stores/sqlite-result-store.js';
import { runCli } from './helpers/cli-process.js';

const root = mkdtempSync(path.join(tmpdir(), 'csdn-export-history-'));
const dataDir = path.join(root, '.csdn-crawl');
let store: SqliteResultStore;

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function article(id: string, viewCount: number): Article {
  return {
    articleId: id,
    title: `=Title ${id}`,
    url: 'https://x',
    type: 'original',
    postTime: '',
    viewCount,
    commentCount: 0,
  };
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');

beforeAll(async () => {
  mkdirSync(dataDir, { recursive: true });
  store = await openSqliteResultStore(path.join(dataDir, 'results.sqlite'));
  const crawl = (articles: Article[], fansCount: number) => ({
    username: 'alice',
    source: 'api' as const,
    profile: { username: 'alice', nickname: 'A, "quoted"', fansCount },
    articles,
    articlesComplete: true,
  });
  await store.saveUser(crawl([article('1', 10), article('2', 5)], 3), T0);
  await store.saveUser(crawl([article('1', 10), article('2', 5)], 4), T0 + DAY);
  await store.saveUser(crawl([article('1', 12)], 4), T0 + 2 * DAY);
  await store.saveUser({ ...crawl([article('7', 1)], 0), username: 'bob', profile: { username: 'bob' } }, T0);
});

afterAll(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

const iso = (at: number) => new Date(at).toISOString();

/** The store's reads as a plain ResultStore: history user by user, no streams. */
function plainStore(): ResultStore {
  return {
    saveUser: () => Promise.resolve(),
    saveOutcome: () => Promise.resolve(),
    getUser: (u) => store.getUser(u),
    getArticles: (u) => store.getArticles(u),
    getSnapshots: (u) => store.getSnapshots(u),
    getEdges: (u) => store.getEdges(u),
    articleHistory: (u, range) => store.articleHistory(u, range),
    iterateUsers: () => store.iterateUsers(),
    counts: () => store.counts(),
    close: () => Promise.resolve(),
  };
}

describe('export of the history', () => {
  it('history-csv: one row per stored change, times in ISO, deleted articles marked', async () => {
    const file = path.join(root, 'history.csv');
    const result = await exportResults(store, 'history-csv', file);
    expect(result.rows).toBe(4);
    expect(readFileSync(file, 'utf8').startsWith('\uFEFF')).toBe(true);
    expect(lines(file)).toEqual([
      'username,articleId,crawledAt,viewCount,commentCount,diggCount,collectCount,deletedAt',
      `alice,1,${iso(T0)},10,0,,,`,
      `alice,1,${iso(T0 + 2 * DAY)},12,0,,,`,
      `alice,2,${iso(T0)},5,0,,,${iso(T0 + 2 * DAY)}`,
      `bob,7,${iso(T0)},1,0,,,`,
    ]);
  });

  it('history-csv reads user by user from a store that cannot stream its history', async () => {
    const streamed = path.join(root, 'streamed.csv');
    const byUser = path.join(root, 'by-user.csv');
    await exportResults(store, 'history-csv', streamed);
    const plain = plainStore();
    await exportResults(plain, 'history-csv', byUser);
    expect(readFileSync(byUser, 'utf8')).toBe(readFileSync(streamed, 'utf8'));
    // Without any history read, the export says so and leaves no file.
    const none = path.join(root, 'none.csv');
    const error = await exportResults({ ...plain, articleHistory: undefined }, 'history-csv', none).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(readdirSync(root).filter((name) => name.includes('none.csv'))).toEqual([]);
  });

  it('snapshots-csv: one row per crawl of each user', async () => {
    const file = path.join(root, 'snapshots.csv');
    expect((await exportResults(store, 'snapshots-csv', file)).rows).toBe(4);
    const rows = lines(file);
    expect(rows[0]).toBe(
      'username,crawledAt,nickname,level,rank,points,fansCount,followCount,viewCount,likeCount,commentCount,favouriteCount,originalCount,articleCount',
    );
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 2))).toEqual([
      ['alice', iso(T0)],
      ['alice', iso(T0 + DAY)],
      ['alice', iso(T0 + 2 * DAY)],
      ['bob', iso(T0)],
    ]);
    expect(rows[1]).toContain('"A, ""quoted"""');
  });

  it('a failed history export leaves the previous file as it was', async () => {
    const file = path.join(root, 'kept.csv');
    writeFileSync(file, 'previous\n');
    const failing: ResultStore = {
      ...plainStore(),
      async *iterateArticleHistory() {
        yield* store.iterateArticleHistory();
        throw new Error('disk went away');
      },
    };
    await expect(exportResults(failing, 'history-csv', file)).rejects.toThrow(/disk went away/);
    expect(readFileSync(file, 'utf8')).toBe('previous\n');
    expect(readdirSync(root).filter((name) => name.startsWith('.kept.csv'))).toEqual([]);
  });

  it('the CLI exports the history and names what it wrote', { timeout: 30_000 }, async () => {
    const run = await runCli(['export', '--format', 'history-csv', '--out', 'h.csv'], root);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('exported 4 article history points to h.csv');
    expect(lines(path.join(root, 'h.csv'))).toHaveLength(5);
    const bad = await runCli(['export', '--format', 'history', '--out', 'x.csv'], root);
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/history-csv/);
  });
});
