import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, StoreError } from '../src/core/errors.js';
import { openReadonlyResultStore } from '../src/stores/readonly-sqlite.js';
import { postgresDialect, sqliteDialect } from '../src/stores/sql/dialect.js';
import { keysetPage, keysets } from '../src/stores/sql/reads.js';
import { saveUserProgram } from '../src/stores/sql/writes.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csdn-sql-layer-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The results schema 1 exactly as the first release wrote it (files of that layout must keep reading). */
const SCHEMA_1 = `
CREATE TABLE schema_version (app TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE users (username TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT, source TEXT,
  last_crawled_at INTEGER NOT NULL);
CREATE TABLE profile_snapshots (username TEXT NOT NULL, crawled_at INTEGER NOT NULL,
  nickname TEXT, level INTEGER, original_count INTEGER, article_count INTEGER, rank INTEGER,
  fans_count INTEGER, follow_count INTEGER, view_count INTEGER, like_count INTEGER, comment_count INTEGER,
  favourite_count INTEGER, points INTEGER, registration_time TEXT, blog_url TEXT,
  PRIMARY KEY (username, crawled_at));
CREATE TABLE articles (article_id TEXT NOT NULL, username TEXT NOT NULL, title TEXT NOT NULL,
  url TEXT NOT NULL, type TEXT NOT NULL, post_time TEXT NOT NULL, view_count INTEGER NOT NULL,
  comment_count INTEGER NOT NULL, digg_count INTEGER, collect_count INTEGER, top INTEGER,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY (article_id, username));
CREATE INDEX articles_by_user ON articles (username, post_time);
CREATE TABLE follow_edges (follower TEXT NOT NULL, followee TEXT NOT NULL, first_seen INTEGER NOT NULL,
  PRIMARY KEY (follower, followee));
CREATE INDEX follow_edges_by_followee ON follow_edges (followee, follower);
INSERT INTO schema_version VALUES ('csdn-crawl-results', 1);
INSERT INTO users VALUES ('old', 'done', NULL, 'api', 10);
INSERT INTO profile_snapshots (username, crawled_at, nickname, fans_count) VALUES ('old', 10, 'Old', 4);
INSERT INTO articles VALUES ('7', 'old', 't', 'u', 'original', '2019-01-01', 3, 0, NULL, NULL, 1, 10, 10);
INSERT INTO follow_edges VALUES ('old', 'bob', 10);
`;

describe('SQL result layer', () => {
  it('migrates a results file of the first layout to schema 2 on open, keeping its data', async () => {
    const file = path.join(dir, 'schema-1.sqlite');
    const db = new Database(file);
    db.exec(SCHEMA_1);
    const layout = () =>
      db.prepare("SELECT name, sql FROM sqlite_master WHERE name NOT LIKE '%article%' ORDER BY name").all();
    const before = layout();
    const store = await openSqliteResultStore(file);
    expect(await store.getUser('old')).toMatchObject({
      status: 'done',
      lastGoodCrawledAt: 10,
      profile: { username: 'old', nickname: 'Old', fansCount: 4 },
    });
    expect((await store.getArticles('old'))[0]).toMatchObject({ articleId: '7', top: true, viewCount: 3 });
    // The stored counters become each article's first point, at the last crawl that saw them.
    expect(await store.articleHistory('old')).toEqual([
      { username: 'old', articleId: '7', crawledAt: 10, viewCount: 3, commentCount: 0 },
    ]);
    await store.saveUser(
      {
        username: 'old',
        source: 'api',
        profile: { username: 'old' },
        articles: [],
        articlesComplete: true,
        follows: ['carol'],
      },
      20,
    );
    expect(await store.getEdges('old')).toEqual({ follows: ['bob', 'carol'], fans: [] });
    expect((await store.getArticles('old'))[0].deletedAt).toBe(20);
    await store.close();
    // The other tables are as they were; articles gained one column; the version is 2.
    expect(layout()).toEqual(before);
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').all('articles') as { name: string }[];
    expect(columns.map((c) => c.name).at(-1)).toBe('deleted_at');
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 2 }]);
    db.close();
    // Opened again: nothing to migrate, nothing doubled.
    const again = await openSqliteResultStore(file);
    expect(await again.articleHistory('old')).toHaveLength(1);
    await again.close();
  });

  it('reads a first-layout file for export through a migrated private copy, leaving the file as it was', async () => {
    const file = path.join(dir, 'schema-1-readonly.sqlite');
    const db = new Database(file);
    db.exec(SCHEMA_1);
    db.close();
    const bytes = await readFile(file);
    const store = await openReadonlyResultStore(file);
    expect(await store.articleHistory?.('old')).toMatchObject([{ articleId: '7', crawledAt: 10 }]);
    await store.close();
    expect(await readFile(file)).toEqual(bytes);
  });

  it('checks arguments and refuses calls once closed', async () => {
    const store = await openSqliteResultStore(':memory:');
    await expect(store.saveOutcome('', 'notfound', undefined, 1)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.saveOutcome('x', 'notfound', undefined, Number.NaN)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(store.saveOutcome('x', 'done' as 'failed', undefined, 1)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await store.close();
    await store.close();
    const error = await store.getUser('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/:memory: is closed \(cannot read a user\)/);
    expect((error as StoreError).transient).toBe(false);
  });

  it('writes one statement text for both placeholder styles', () => {
    const page = (d: typeof sqliteDialect) => keysetPage(d, keysets(d).articles, ['a', '1']);
    expect(page(sqliteDialect).sql).toContain('WHERE (username, article_id) > (?, ?) ORDER BY');
    expect(page(postgresDialect('s')).sql).toContain(
      'FROM "s".articles WHERE (username, article_id) > ($1, $2)',
    );
    const result = {
      username: 'u',
      source: 'api' as const,
      profile: { username: 'u' },
      articles: [],
      follows: ['b', 'a'],
      followsComplete: true,
    };
    const steps = saveUserProgram(postgresDialect('s'), result, 5);
    const kinds: string[] = [];
    let step = steps.next();
    while (!step.done) {
      kinds.push(step.value.sql.trim().split(/\s+/).slice(0, 3).join(' '));
      if (step.value.sql.startsWith('INSERT INTO "s".follow_edges'))
        expect(step.value.params).toEqual(['u', 'a', 5, 'u', 'b', 5]);
      step = steps.next({ rows: [], changes: 1 });
    }
    expect(kinds).toEqual([
      'INSERT INTO "s".users',
      'INSERT INTO "s".profile_snapshots',
      'DELETE FROM "s".follow_edges',
      'INSERT INTO "s".follow_edges',
    ]);
  });
});
