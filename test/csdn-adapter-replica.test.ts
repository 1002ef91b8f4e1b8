import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/core/errors.js';
import type { Profile, UserResult } from '../src/core/model.js';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { type Replica, startReplica, type UserTruth } from '../src/testing/replica/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import {
  PROFILE_FIELDS_TODAY as API_PROFILE,
  ARTICLE_FIELDS as LEGACY_ARTICLE,
  PROFILE_FIELDS_LEGACY as LEGACY_PROFILE,
} from './helpers/truth-fields.js';

function pick<T extends object>(value: T, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) out[key] = value[key];
  return out;
}

function expectProfile(result: UserResult, truth: UserTruth, keys: (keyof Profile)[]) {
  expect(pick(result.profile, keys)).toEqual(pick(truth.profile, keys));
}

function pickUsers(replica: Replica) {
  const rows = replica.usernames.map((username) => ({
    username,
    truth: replica.truth(username) as UserTruth,
  }));
  const find = (label: string, test: (t: UserTruth) => boolean) => {
    const row = rows.find((r) => test(r.truth));
    if (!row) throw new Error(`the replica population has no ${label} user`);
    return row.username;
  };
  return {
    zero: find('zero-article', (t) => t.articles.length === 0),
    thousands: find('thousands', (t) => t.articles.length >= 1000),
    custom: find('custom-domain multi-page', (t) => t.customDomain !== undefined && t.articles.length > 20),
    pinned: find('pinned', (t) => t.articles.some((a) => a.top)),
    exactPage: find('exactly-100', (t) => t.articles.length > 0 && t.articles.length % 100 === 0),
    multiPage: find('3-10 pages', (t) => t.articles.length > 250 && t.articles.length < 1000),
    small: find('small', (t) => t.articles.length > 0 && t.articles.length < 20 && t.fans.length > 0),
    popular: find('many fans', (t) => t.fans.length > 25),
  };
}

describe('csdn adapter against the replica (today\u2019s site)', () => {
  let replica: Replica;
  let http: NodeHttpClient;
  let users: ReturnType<typeof pickUsers>;

  beforeAll(async () => {
    replica = await startReplica({ users: 400, seed: 7 });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
    users = pickUsers(replica);
  });
  afterAll(async () => {
    http?.close();
    await replica?.close();
  });

  it('crawls users of every shape exactly as the truth says', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    for (const username of [
      users.zero,
      users.thousands,
      users.custom,
      users.pinned,
      users.exactPage,
      users.small,
    ]) {
      const result = await adapter.crawlUser(username, makeContext({ http }));
      const truth = replica.truth(username) as UserTruth;
      expect(result.source).toBe('api');
      expect(result.username).toBe(username);
      expect(result.articles.length, username).toBe(truth.articles.length);
      expect(result.articles).toEqual(truth.articles);
      expectProfile(result, truth, API_PROFILE);
      expect(result.follows).toBeUndefined();
    }
  });

  it('accepts a profile URL as the id', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const result = await adapter.crawlUser(
      `${replica.url}/${users.small}/article/details/1`,
      makeContext({ http }),
    );
    expect(result.username).toBe(users.small);
  });

  it('custom-domain users keep their domain URLs', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const result = await adapter.crawlUser(users.custom, makeContext({ http }));
    expect(
      result.articles.every((a) =>
        /^https:\/\/[a-z0-9]+\.blog\.csdn\.net\/article\/details\/\d+$/.test(a.url),
      ),
    ).toBe(true);
  });

  it('discovery reads follows and fans completely, capped by maxPerUser', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    for (const username of [users.popular, users.small, users.zero]) {
      const truth = replica.truth(username) as UserTruth;
      const result = await adapter.crawlUser(
        username,
        makeContext({ http, discovery: { enabled: true, maxPerUser: 1000 } }),
      );
      expect([...(result.follows ?? [])].sort()).toEqual([...truth.follows].sort());
      expect([...(result.fans ?? [])].sort()).toEqual([...truth.fans].sort());
    }
    const capped = await adapter.crawlUser(
      users.popular,
      makeContext({ http, discovery: { enabled: true, maxPerUser: 7 } }),
    );
    expect(capped.fans).toHaveLength(7);
    expect(new Set(capped.fans).size).toBe(7);
  });

  it('missing users are NotFoundError', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    for (const username of replica.missingUsernames.slice(0, 3)) {
      await expect(adapter.crawlUser(username, makeContext({ http }))).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it('articles published during the walk (rate 1): none missed, none twice', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pageSize: 20 });
    const before = (replica.truth(users.multiPage) as UserTruth).articles.length;
    replica.setFaults({ publishMidWalk: 1 });
    try {
      const context = makeContext({ http });
      const result = await adapter.crawlUser(users.multiPage, context);
      const truth = replica.truth(users.multiPage) as UserTruth;
      expect(truth.articles.length).toBeGreaterThan(before + 10);
      const ids = result.articles.map((a) => a.articleId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(truth.articles.map((a) => a.articleId));
      expect(result.profile.articleCount).toBe(truth.articles.length);
      // the profile is read again after the walk, so its counters match the list
      expectProfile(result, truth, API_PROFILE);
      expect(context.logs.some((l) => l.message === 'articles published during the walk')).toBe(true);
    } finally {
      replica.setFaults({ publishMidWalk: 0 });
    }
  });
});

describe('csdn adapter against a legacy-only replica (2019 skin, no JSON API)', () => {
  let replica: Replica;
  let http: NodeHttpClient;
  let users: ReturnType<typeof pickUsers>;

  beforeAll(async () => {
    replica = await startReplica({ users: 400, seed: 7, legacyOnly: true });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
    users = pickUsers(replica);
  });
  afterAll(async () => {
    http?.close();
    await replica?.close();
  });

  it('detects the legacy site and walks /article/list/<n> over HTTP', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    for (const username of [users.zero, users.small, users.custom, users.multiPage, users.exactPage]) {
      const result = await adapter.crawlUser(username, makeContext({ http }));
      const truth = replica.truth(username) as UserTruth;
      expect(result.source).toBe('legacy-http');
      expect(result.articles.map((a) => pick(a, LEGACY_ARTICLE))).toEqual(
        truth.articles.map((a) => pick(a, LEGACY_ARTICLE)),
      );
      expect(result.articles.some((a) => a.articleId === '82762601')).toBe(false);
      expectProfile(result, truth, LEGACY_PROFILE);
    }
  });

  it('a legacy list that did not move is read once, page 1 included (no head re-read)', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const reads = () =>
      Object.entries(replica.stats().legacyPages).filter(([key]) => key.startsWith(`${users.multiPage}/`));
    const before = new Map(reads());
    const result = await adapter.crawlUser(users.multiPage, makeContext({ http }));
    expect(result.articles).toHaveLength((replica.truth(users.multiPage) as UserTruth).articles.length);
    const pages = reads().map(([key, n]) => [key, n - (before.get(key) ?? 0)] as const);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.filter(([, n]) => n !== 1)).toEqual([]);
  });

  it('missing users are NotFoundError', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    await expect(
      adapter.crawlUser(replica.missingUsernames[0], makeContext({ http })),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('articles published during a legacy walk (rate 1): none missed, none twice', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    replica.setFaults({ publishMidWalk: 1 });
    try {
      const result = await adapter.crawlUser(users.multiPage, makeContext({ http }));
      const truth = replica.truth(users.multiPage) as UserTruth;
      expect(result.articles.map((a) => a.articleId)).toEqual(truth.articles.map((a) => a.articleId));
      expectProfile(result, truth, LEGACY_PROFILE);
    } finally {
      replica.setFaults({ publishMidWalk: 0 });
    }
  });
});
