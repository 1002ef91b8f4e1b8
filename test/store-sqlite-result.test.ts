import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../src/core/errors.js';
import { openSqliteResultStore, type UserArticle } from '../src/stores/sqlite-result-store.js';
import { resultStoreConformance } from '../src/testing/conformance/result-store.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csdn-results-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

resultStoreConformance('SQLite file', async () => {
  const file = path.join(dir, `results-${counter++}.sqlite`);
  const store = await openSqliteResultStore(file);
  return { store, openAnother: () => openSqliteResultStore(file), cleanup: () => store.close() };
});

describe('SqliteResultStore', () => {
  it('creates the schema with a version, in WAL mode, and reopens it', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'results.sqlite');
    const store = await openSqliteResultStore(file);
    await store.saveOutcome('x', 'notfound', undefined, 1);
    await store.close();
    const again = await openSqliteResultStore(file);
    expect((await again.getUser('x'))?.status).toBe('notfound');
    await again.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT app, version FROM schema_version').all()).toEqual([
      { app: 'csdn-crawl-results', version: 2 },
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('streams every article with its user', async () => {
    const store = await openSqliteResultStore(path.join(dir, 'stream.sqlite'));
    for (let u = 0; u < 3; u++) {
      await store.saveUser(
        {
          username: `u${u}`,
          source: 'legacy-http',
          profile: { username: `u${u}` },
          articles: Array.from({ length: 200 }, (_, i) => ({
            articleId: String(1000 + i),
            title: 't',
            url: 'https://x',
            type: 'original' as const,
            postTime: '',
            viewCount: i,
            commentCount: 0,
          })),
        },
        1,
      );
    }
    const seen: UserArticle[] = [];
    for await (const a of store.iterateArticles()) seen.push(a);
    expect(seen).toHaveLength(600);
    expect(new Set(seen.map((a) => `${a.username}/${a.articleId}`)).size).toBe(600);
    expect(seen[0]).toMatchObject({ username: 'u0', articleId: '1000' });
    let snapshots = 0;
    for await (const s of store.iterateSnapshots()) snapshots += s.crawledAt;
    expect(snapshots).toBe(3);
    await store.close();
  });

  it('refuses a foreign file and leaves it untouched', async () => {
    const text = path.join(dir, 'readme.md');
    await writeFile(text, '# hello\n');
    const e1 = await openSqliteResultStore(text).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(StoreError);
    expect((e1 as Error).message).toContain(text);
    expect(await readFile(text, 'utf8')).toBe('# hello\n');

    const other = path.join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)');
    db.close();
    const before = await readFile(other);
    const e2 = await openSqliteResultStore(other).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(StoreError);
    expect((e2 as StoreError).hint).toMatch(/untouched/);
    expect(await readFile(other)).toEqual(before);
  });

  it('refuses a schema newer than it knows', async () => {
    const file = path.join(dir, 'future.sqlite');
    (await openSqliteResultStore(file)).close();
    const db = new Database(file);
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    await expect(openSqliteResultStore(file)).rejects.toThrow(/schema 99/);
  });
});
