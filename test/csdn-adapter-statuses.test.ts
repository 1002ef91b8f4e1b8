import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AbortedError,
  BlockedError,
  ConfigError,
  NetworkError,
  NotFoundError,
  ParseError,
  ThrottledError,
} from '../src/core/errors.js';
import { createHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import { localSite } from './helpers/local-site.js';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures/csdn', name), 'utf8');

/**
 * A tiny server answering each test user with one canned behaviour, so every status the site
 * can answer maps to exactly one error class. The replica covers whole crawls; this covers edges.
 */
type Handler = (url: URL) => { status: number; body: string; headers?: Record<string, string> };
const json = (body: string) => ({ status: 200, body, headers: { 'content-type': 'application/json' } });
const html = (body: string, status = 200) => ({
  status,
  body,
  headers: { 'content-type': 'text/html; charset=utf-8' },
});

const users: Record<string, Handler> = {
  today_user: (url) => {
    if (url.pathname === '/today_user') return html(fixture('home-today.html'));
    if (url.pathname.endsWith('get-business-list')) {
      return json(
        url.searchParams.get('page') === '1'
          ? fixture('api-business-list.json')
          : fixture('api-business-list-empty.json'),
      );
    }
    if (url.pathname.endsWith('get-tab-total')) return json(fixture('api-tab-total.json'));
    if (url.pathname.endsWith('get-fans-list')) {
      return json(
        url.searchParams.get('page') === '1'
          ? fixture('api-fans-list.json')
          : fixture('api-follow-list-empty.json'),
      );
    }
    if (url.pathname.endsWith('get-follow-list')) return json(fixture('api-follow-list-empty.json'));
    return html('nope', 404);
  },
  counters_user: (url) => {
    if (url.pathname === '/counters_user') return html(fixture('home-today-counters-only.html'));
    if (url.pathname.endsWith('get-business-list')) return json(fixture('api-business-list-no-list.json'));
    return json(fixture('api-tab-total.json'));
  },
  drafts_user: (url) => {
    if (url.pathname === '/drafts_user') return html(fixture('home-today.html'));
    if (url.pathname.endsWith('get-business-list')) return json(fixture('api-business-list-drafts.json'));
    return json(fixture('api-tab-total.json'));
  },
  gone_user: () => html(fixture('home-404.html')),
  gone404_user: () => html(fixture('home-404.html'), 404),
  plain404_user: () => html('<html><body>Not Found</body></html>', 404),
  challenged: () => html(fixture('challenge-521.html'), 521),
  challenged_api: (url) =>
    url.pathname === '/challenged_api'
      ? html(fixture('home-today.html'))
      : html(fixture('challenge-521.html'), 200),
  walled: () => html('<html><body>Forbidden</body></html>', 403),
  throttled: () => ({ status: 429, body: 'slow down', headers: { 'retry-after': '7' } }),
  broken: () => html(fixture('garbage.html'), 502),
  garbage_api: (url) =>
    url.pathname === '/garbage_api' ? html(fixture('home-today.html')) : html(fixture('garbage.html')),
  truncated_api: (url) =>
    url.pathname === '/truncated_api'
      ? html(fixture('home-today.html'))
      : json(fixture('api-truncated.json')),
  unknown_home: () => html(fixture('garbage.html')),
  legacy_broken: (url) =>
    url.pathname === '/legacy_broken'
      ? html(fixture('legacy-home.html'))
      : html('<html><body>维护中</body></html>'),
  legacy_user: (url) => {
    if (url.pathname === '/legacy_user') return html(fixture('legacy-home.html'));
    if (url.pathname === '/legacy_user/article/list/1') return html(fixture('legacy-list-page1.html'));
    if (url.pathname === '/legacy_user/article/list/2') return html(fixture('legacy-list-page2-last.html'));
    return html('<html><title>404</title></html>', 404);
  },
};

const client = createHttpClient({ defaultTimeoutMs: 5000 });
const site = localSite((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const user =
    url.searchParams.get('username') ?? url.searchParams.get('blogUsername') ?? url.pathname.split('/')[1];
  const handler = users[user] ?? (() => html(fixture('home-404.html')));
  // The fixtures are written for demo_user; this server calls that user legacy_user.
  const answer = handler(url);
  res.writeHead(answer.status, answer.headers ?? {});
  res.end(user === 'legacy_user' ? answer.body.replaceAll('demo_user', 'legacy_user') : answer.body);
});

afterAll(() => client.close());

async function crawlError(id: string): Promise<unknown> {
  const adapter = createCsdnAdapter({ baseUrl: site.url });
  try {
    await adapter.crawlUser(id, makeContext({ http: client }));
  } catch (error) {
    return error;
  }
  throw new Error(`crawl of ${id} did not fail`);
}

describe('csdn adapter over HTTP: answers mapped to results and errors', () => {
  it('today skin: profile from the embedded state, articles from the API, discovery', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url, pageSize: 5 });
    const context = makeContext({ http: client, discovery: { enabled: true, maxPerUser: 10 } });
    const result = await adapter.crawlUser('today_user', context);
    expect(result.source).toBe('api');
    expect(result.articles.map((a) => a.articleId)).toEqual([
      '3000005',
      '3000004',
      '3000003',
      '3000002',
      '3000001',
    ]);
    expect(result.profile).toMatchObject({
      username: 'today_user',
      fansCount: 146206,
      viewCount: 9876543,
      articleCount: 5,
    });
    expect(result.fans).toEqual(['fan_one', 'fan-two']);
    expect(result.follows).toEqual([]);
  });

  it('a user without list and a total counting drafts end at once', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url, pageSize: 5 });
    const none = await adapter.crawlUser('counters_user', makeContext({ http: client }));
    expect(none.articles).toEqual([]);
    expect(none.profile).toMatchObject({ articleCount: 0, fansCount: 145002 });
    // total 9 with 2 listed: the short page ends the walk (page 2 would repeat page 1 here).
    const drafts = await adapter.crawlUser('drafts_user', makeContext({ http: client }));
    expect(drafts.articles.map((a) => a.articleId)).toEqual(['3000005', '3000004']);
  });

  it('legacy-only site: walks /article/list/<n> with the aside profile', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url });
    const result = await adapter.crawlUser('legacy_user', makeContext({ http: client }));
    expect(result.source).toBe('legacy-http');
    expect(result.articles.map((a) => a.articleId)).toEqual([
      '1000007',
      '1000006',
      '1000005',
      '1000004',
      '1000003',
      '1000002',
      '1000001',
    ]);
    expect(result.profile).toMatchObject({
      username: 'legacy_user',
      articleCount: 7,
      viewCount: 146206,
      rank: 8123,
    });
  });

  it("not found: CSDN's own 404 page, with HTTP 200 or 404", async () => {
    expect(await crawlError('gone_user')).toBeInstanceOf(NotFoundError);
    expect(await crawlError('gone404_user')).toBeInstanceOf(NotFoundError);
  });

  it('a plain 404 that is not CSDN\'s page fails the user, naming the base URL, never "not found"', async () => {
    const error = await crawlError('plain404_user');
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `${site.url}: answered HTTP 404 with a page that is not CSDN's 404 page; is --base-url right?`,
    );
  });

  it('521 without a browser is a challenge block, on pages and on JSON endpoints', async () => {
    for (const id of ['challenged', 'challenged_api']) {
      const error = await crawlError(id);
      expect(error).toBeInstanceOf(BlockedError);
      expect((error as BlockedError).kind).toBe('challenge');
      expect((error as BlockedError).message).toMatch(/security check/);
    }
  });

  it('403 is the wall, 429 is throttling with Retry-After, 5xx a network error with status', async () => {
    const wall = await crawlError('walled');
    expect(wall).toBeInstanceOf(BlockedError);
    expect((wall as BlockedError).kind).toBe('wall');
    const throttled = await crawlError('throttled');
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect((throttled as ThrottledError).retryAfterMs).toBe(7000);
    const broken = await crawlError('broken');
    expect(broken).toBeInstanceOf(NetworkError);
    expect((broken as NetworkError).status).toBe(502);
  });

  it('a page that is neither profile nor list is a ParseError with the page kept as evidence', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url });
    for (const id of ['unknown_home', 'legacy_broken']) {
      const context = makeContext({ http: client });
      const error = await adapter.crawlUser(id, context).catch((e: unknown) => e);
      expect(error, id).toBeInstanceOf(ParseError);
      expect((error as ParseError).snapshot).toBe('/tmp/snapshot-1-parse.html');
      expect(context.snapshots[0].url).toMatch(new RegExp(`/${id}`));
      expect(context.snapshots[0].html).toBeTruthy();
    }
  });

  it('a stopped crawl is an AbortedError, not a failure of the user', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url });
    const controller = new AbortController();
    controller.abort();
    const error = await adapter
      .crawlUser('today_user', makeContext({ http: client, signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
  });

  it('garbage or truncated JSON from the API of a today-skin user is a ParseError', async () => {
    expect(await crawlError('garbage_api')).toBeInstanceOf(ParseError);
    expect(await crawlError('truncated_api')).toBeInstanceOf(ParseError);
  });
});
