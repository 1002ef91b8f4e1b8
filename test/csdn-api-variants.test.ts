import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { type ApiVariant, type Replica, startReplica, type UserTruth } from '../src/testing/replica/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import { PROFILE_FIELDS_TODAY as PROFILE } from './helpers/truth-fields.js';

// Every API shape public captures saw: the crawl must equal the truth under each, with no
// request more than the shape forces.

const USERS = 120;
const SEED = 11;
const MAX_ARTICLES = 450;
const PAGE_SIZE = 100;
const NAMES_PER_PAGE = 100;

const VARIANTS: [string, Partial<ApiVariant>][] = [
  ['the documented shape', {}],
  ['20 articles per page whatever size asks', { businessListPageCap: 20 }],
  ['no collectCount', { omitCollectCount: true }],
  ['no total', { omitTotal: true }],
  ['20 per page and no total', { businessListPageCap: 20, omitTotal: true }],
  ['fans/follows through v1 only', { fansApi: 'v1' }],
  ['fans/follows through v2 only (cursor)', { fansApi: 'v2' }],
  ['achievements as template + variable', { achievements: 'template' }],
  [
    'all of them at once',
    {
      businessListPageCap: 20,
      omitCollectCount: true,
      omitTotal: true,
      fansApi: 'v2',
      achievements: 'template',
    },
  ],
];

/**
 * get-business-list and get-tab-total requests the walk needs: ceil(listed / served) pages, and
 * one more only when nothing the site says can tell the end. With `total` stated (drafts
 * counted in it): one more page when the last page is full or everything fit on page 1 (shorter
 * than asked: drafts, or a smaller page size, which page 2 tells apart); once the page size is
 * known the remaining pages through ceil(total / served) go out together, so drafts that reach
 * into one more page cost that page. Without `total`: a short page 1 is told apart by
 * get-tab-total, whose count then ends the walk; a full one means pages until a short one.
 */
function minimalListRequests(
  listed: number,
  drafts: number,
  variant: Partial<ApiVariant>,
): { list: number; tab: number } {
  if (listed === 0) return { list: 1, tab: 0 };
  const served = Math.min(variant.businessListPageCap ?? PAGE_SIZE, PAGE_SIZE);
  const pages = Math.ceil(listed / served);
  const lastFull = listed % served === 0;
  const firstShort = Math.min(listed, served) < PAGE_SIZE;
  if (variant.omitTotal) {
    if (firstShort) return { list: pages, tab: 1 };
    return { list: pages + (lastFull ? 1 : 0), tab: 0 };
  }
  const countTells = drafts === 0;
  const walked = pages + (!countTells && (lastFull || pages === 1) ? 1 : 0);
  const sizeKnownBeforeTheEnd = listed >= (served === PAGE_SIZE ? served : 2 * served);
  if (!sizeKnownBeforeTheEnd) return { list: walked, tab: 0 };
  return { list: Math.max(walked, Math.ceil((listed + drafts) / served)), tab: 0 };
}

/** Fans/follows requests: the profile counts the list, so pages until that count is read. */
function minimalUserListRequests(names: number): number {
  // A list the profile counts as empty is not requested at all.
  if (names === 0) return 0;
  return Math.ceil(names / NAMES_PER_PAGE);
}

let drafts: Map<string, number>;

beforeAll(async () => {
  // Drafts are not in the truth: read them from the documented shape (total - listed) of the
  // same population (same seed), on a replica of its own so the variants' counts stay clean.
  const plain = await startReplica({ users: USERS, seed: SEED, maxArticlesPerUser: MAX_ARTICLES });
  const http = createHttpClient({ defaultTimeoutMs: 10_000 });
  try {
    drafts = new Map();
    for (const name of plain.usernames) {
      const url = `${plain.url}/community/home-api/v1/get-business-list?page=1&size=1&username=${name}`;
      const body = JSON.parse((await http.get(url)).body);
      drafts.set(name, body.data.total - (plain.truth(name) as UserTruth).articles.length);
    }
  } finally {
    http.close();
    await plain.close();
  }
});

describe.each(VARIANTS)('replica API variant: %s', (_label, variant) => {
  let replica: Replica;
  let http: NodeHttpClient;

  beforeAll(async () => {
    replica = await startReplica({
      users: USERS,
      seed: SEED,
      maxArticlesPerUser: MAX_ARTICLES,
      apiVariant: variant,
    });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    http?.close();
    await replica?.close();
  });

  it('crawls every user exactly as the truth says, with no extra request', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pageSize: PAGE_SIZE });
    const problems: string[] = [];
    let shapesSeen = 0;
    for (const username of replica.usernames) {
      const before = replica.stats().endpoints;
      const context = makeContext({ http, discovery: { enabled: true, maxPerUser: 10_000 } });
      const result = await adapter.crawlUser(username, context);
      const after = replica.stats().endpoints;
      const truth = replica.truth(username) as UserTruth;
      const used = (endpoint: string) => (after[endpoint] ?? 0) - (before[endpoint] ?? 0);

      expect(result.articles, username).toEqual(truth.articles);
      for (const key of PROFILE)
        expect(result.profile[key], `${username} ${key}`).toEqual(truth.profile[key]);
      expect(result.follows, username).toEqual(truth.follows);
      expect(result.fans, username).toEqual(truth.fans);
      if (variant.omitCollectCount) {
        expect(
          result.articles.filter((a) => 'collectCount' in a),
          username,
        ).toEqual([]);
      } else {
        expect(
          result.articles.every((a) => typeof a.collectCount === 'number'),
          username,
        ).toBe(true);
      }

      const listed = truth.articles.length;
      const minimal = minimalListRequests(listed, drafts.get(username) ?? 0, variant);
      const expected: Record<string, number> = {
        home: 1,
        'business-list': minimal.list,
        'tab-total': minimal.tab,
        'fans-list': minimalUserListRequests(truth.fans.length),
        'follow-list': minimalUserListRequests(truth.follows.length),
      };
      for (const [endpoint, count] of Object.entries(expected)) {
        if (used(endpoint) !== count)
          problems.push(`${username} (${listed}): ${endpoint} ${used(endpoint)}, minimal ${count}`);
      }
      if (listed > 0 && listed % 20 === 0) shapesSeen |= 1;
      if ((drafts.get(username) ?? 0) > 0) shapesSeen |= 2;
      if (listed > 2 * PAGE_SIZE) shapesSeen |= 4;
      if (listed === 0) shapesSeen |= 8;
    }
    expect(problems).toEqual([]);
    // the population holds every shape the request counts depend on
    expect(shapesSeen).toBe(15);
    // a retired list API costs one request per adapter, then the one that answers is remembered
    expect(replica.stats().endpoints['retired-list-api'] ?? 0).toBe(variant.fansApi === 'v2' ? 1 : 0);
  });
});

describe('20 per page asked for 20', () => {
  it('needs no learning: the same pages as a site honouring size', async () => {
    const replica = await startReplica({
      users: 60,
      seed: SEED,
      maxArticlesPerUser: MAX_ARTICLES,
      apiVariant: { businessListPageCap: 20 },
    });
    const http = createHttpClient({ defaultTimeoutMs: 10_000 });
    try {
      const adapter = createCsdnAdapter({ baseUrl: replica.url, pageSize: 20 });
      const big = replica.usernames.find((n) => (replica.truth(n) as UserTruth).articles.length > 100);
      if (!big) throw new Error('no user with more than 100 articles');
      const context = makeContext({ http });
      const result = await adapter.crawlUser(big, context);
      expect(result.articles).toEqual((replica.truth(big) as UserTruth).articles);
      expect(context.logs.some((l) => l.message.startsWith('the site serves fewer'))).toBe(false);
    } finally {
      http.close();
      await replica.close();
    }
  });
});

describe('articles published during the walk (rate 1), under the shapes that change how a walk ends', () => {
  it.each([
    ['20 per page, no total', { businessListPageCap: 20, omitTotal: true }],
    ['no total', { omitTotal: true }],
    ['20 per page', { businessListPageCap: 20 }],
  ] as [string, Partial<ApiVariant>][])('%s: none missed, none twice', async (_label, variant) => {
    const replica = await startReplica({
      users: 60,
      seed: SEED,
      maxArticlesPerUser: MAX_ARTICLES,
      apiVariant: variant,
    });
    const http = createHttpClient({ defaultTimeoutMs: 10_000 });
    try {
      const adapter = createCsdnAdapter({ baseUrl: replica.url, pageSize: PAGE_SIZE });
      const user = replica.usernames.find((n) => (replica.truth(n) as UserTruth).articles.length > 250);
      if (!user) throw new Error('no user with more than 250 articles');
      const before = (replica.truth(user) as UserTruth).articles.length;
      replica.setFaults({ publishMidWalk: 1 });
      const result = await adapter.crawlUser(user, makeContext({ http }));
      const truth = replica.truth(user) as UserTruth;
      expect(truth.articles.length).toBeGreaterThan(before + 1);
      expect(result.articles.map((a) => a.articleId)).toEqual(truth.articles.map((a) => a.articleId));
      expect(result.profile.articleCount).toBe(truth.articles.length);
    } finally {
      http.close();
      await replica.close();
    }
  });
});
