import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../src/core/errors.js';
import { openResultStore } from '../src/stores/open.js';
import { openPostgresResultStore, type PostgresResultStore } from '../src/stores/postgres-result-store.js';
import { resultStoreConformance } from '../src/testing/conformance/result-store.js';

const URL_BASE = 'postgres://postgres@127.0.0.1:5432/test';
const schemaName = () => `csdn_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

resultStoreConformance('PostgreSQL', async () => {
  const schema = schemaName();
  const store = await openPostgresResultStore({ url: URL_BASE, schema });
  return {
    store,
    openAnother: () => openPostgresResultStore({ url: URL_BASE, schema }),
    cleanup: async () => {
      await store.dropSchema();
      await store.close();
    },
  };
});

/** The results schema 1 exactly as the first release created it in PostgreSQL, with a little data. */
function schema1(schema: string): string {
  const key = 'TEXT COLLATE "C"';
  return `CREATE SCHEMA ${schema};
CREATE TABLE ${schema}.schema_version (app TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE ${schema}.users (username ${key} PRIMARY KEY, status TEXT NOT NULL, reason TEXT, source TEXT,
  last_crawled_at BIGINT NOT NULL);
CREATE TABLE ${schema}.profile_snapshots (username ${key} NOT NULL, crawled_at BIGINT NOT NULL,
  nickname TEXT, level BIGINT, original_count BIGINT, article_count BIGINT, rank BIGINT, fans_count BIGINT,
  follow_count BIGINT, view_count BIGINT, like_count BIGINT, comment_count BIGINT, favourite_count BIGINT,
  points BIGINT, registration_time TEXT, blog_url TEXT, PRIMARY KEY (username, crawled_at));
CREATE TABLE ${schema}.articles (article_id ${key} NOT NULL, username ${key} NOT NULL, title TEXT NOT NULL,
  url TEXT NOT NULL, type TEXT NOT NULL, post_time ${key} NOT NULL, view_count BIGINT NOT NULL,
  comment_count BIGINT NOT NULL, digg_count BIGINT, collect_count BIGINT, top SMALLINT,
  first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, PRIMARY KEY (article_id, username));
CREATE INDEX articles_by_user ON ${schema}.articles (username, article_id);
CREATE TABLE ${schema}.follow_edges (follower ${key} NOT NULL, followee ${key} NOT NULL,
  first_seen BIGINT NOT NULL, PRIMARY KEY (follower, followee));
CREATE INDEX follow_edges_by_followee ON ${schema}.follow_edges (followee, follower);
INSERT INTO ${schema}.schema_version VALUES ('csdn-crawl-results', 1);
INSERT INTO ${schema}.users VALUES ('old', 'done', NULL, 'api', 10);
INSERT INTO ${schema}.articles VALUES ('7', 'old', 't', 'u', 'original', '2019-01-01', 3, 0, NULL, NULL, 1, 10, 10);`;
}

describe('PostgresResultStore', () => {
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: URL_BASE });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
  });

  it('opens through a postgres:// spec with ?schema= and records the schema version', async () => {
    const schema = schemaName();
    const store = (await openResultStore(
      `postgresql://postgres@127.0.0.1:5432/test?schema=${schema}`,
    )) as PostgresResultStore;
    try {
      expect(store.schema).toBe(schema);
      const { rows } = await admin.query(`SELECT app, version FROM ${schema}.schema_version`);
      expect(rows).toEqual([{ app: 'csdn-crawl-results', version: 2 }]);
      // A second open of the same schema finds it and keeps the data.
      await store.saveOutcome('kept', 'notfound', undefined, 1);
      const again = await openPostgresResultStore({ url: URL_BASE, schema });
      expect((await again.getUser('kept'))?.status).toBe('notfound');
      await again.close();
    } finally {
      await store.dropSchema();
      await store.close();
    }
  });

  it('migrates a schema of the first layout (version 1) on open, keeping its data', async () => {
    const schema = schemaName();
    await admin.query(schema1(schema));
    try {
      const store = await openPostgresResultStore({ url: URL_BASE, schema });
      try {
        expect((await store.getArticles('old'))[0]).toMatchObject({ articleId: '7', viewCount: 3 });
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
          },
          20,
        );
        expect((await store.getArticles('old'))[0].deletedAt).toBe(20);
        const { rows } = await admin.query(`SELECT version FROM ${schema}.schema_version`);
        expect(rows).toEqual([{ version: 2 }]);
        // A second open finds schema 2: nothing migrated twice.
        const again = await openPostgresResultStore({ url: URL_BASE, schema });
        expect(await again.articleHistory('old')).toHaveLength(1);
        await again.close();
      } finally {
        await store.close();
      }
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('refuses a schema that holds tables of another program and leaves it untouched', async () => {
    const schema = schemaName();
    await admin.query(
      `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.users (id int primary key, email text)`,
    );
    await admin.query(`INSERT INTO ${schema}.users VALUES (1, 'a@b')`);
    try {
      const error = await openPostgresResultStore({ url: URL_BASE, schema }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).message).toContain(schema);
      expect((error as StoreError).hint).toMatch(/untouched/);
      const { rows } = await admin.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
        [schema],
      );
      expect(rows.map((r) => r.table_name)).toEqual(['users']);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it('opens one new schema from several connections at once', async () => {
    const schema = schemaName();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresResultStore({ url: URL_BASE, schema })));
    try {
      expect(await stores[2].counts()).toEqual({ users: 0, articles: 0, snapshots: 0, edges: 0 });
    } finally {
      await stores[0].dropSchema();
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('fails fast with one line when PostgreSQL is unreachable, without the password', async () => {
    const error = await openPostgresResultStore({
      url: 'postgres://bob:pg-secret-7@127.0.0.1:1/test',
      connectTimeoutMs: 2_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain('127.0.0.1:1');
    expect((error as StoreError).message).not.toContain('pg-secret-7');
    expect((error as StoreError).message).not.toContain('\n');
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(openPostgresResultStore({ url: URL_BASE, schema: 'x"; drop table y; --' })).rejects.toThrow(
      /invalid PostgreSQL schema name/,
    );
  });
});
