import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import { localSite } from './helpers/local-site.js';

// Edges of the shapes the replica's variants do not reach: a site that pages by the asked size
// but serves 20, drafts with no readable tab total, v1 lists answering 404 or HTML.

const home = readFileSync(path.join(__dirname, 'fixtures/csdn/home-today.html'), 'utf8');
const envelope = (data: unknown) => JSON.stringify({ code: 200, message: 'success', traceId: 't', data });

interface Answer {
  status: number;
  body: string;
}
const json = (data: unknown): Answer => ({ status: 200, body: envelope(data) });
const notFound: Answer = { status: 404, body: '<html><title>404</title></html>' };

/** Articles newest first: ids count down from base + n. */
function articles(n: number, base: number) {
  return Array.from({ length: n }, (_, i) => ({
    articleId: base + n - i,
    title: `a${base + n - i}`,
    url: `https://blog.csdn.net/x/article/details/${base + n - i}`,
    type: 1,
    postTime: '2024-01-01 00:00:00',
    viewCount: i,
    commentCount: 0,
  }));
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}_${i}`);

/** A fans/follows list by cursor: the item after `id`, `size` of them; ids are 1000 - position. */
function cursorList(all: string[], cursor: number, size: number): Answer {
  const start = cursor === 0 ? 0 : 1000 - cursor + 1;
  return json({
    list: all.slice(start, start + size).map((username, i) => ({ username, id: 1000 - start - i })),
  });
}

type Handler = (api: string, q: URLSearchParams) => Answer;
const requests: string[] = [];

const users: Record<string, Handler> = {
  // pages by the asked size but never serves more than 20 (offset (page-1)*size)
  offset_by_size: (api, q) => {
    const all = articles(55, 5000);
    if (api === 'v1/get-tab-total') return json({ blog: 55 });
    const size = Number(q.get('size'));
    const page = Number(q.get('page'));
    return json({ list: all.slice((page - 1) * size, (page - 1) * size + Math.min(size, 20)), total: 55 });
  },
  // 15 listed, 3 drafts, and get-tab-total not there: one empty page is the end
  drafts_no_tab: (api, q) => {
    if (api === 'v1/get-tab-total') return notFound;
    const size = Number(q.get('size'));
    const page = Number(q.get('page'));
    return json({ list: articles(15, 7000).slice((page - 1) * size, page * size), total: 18 });
  },
  // no total, no tab total: a short first page may be a smaller page size, page 2 tells
  bare: (api, q) => {
    if (api === 'v1/get-tab-total') return { status: 200, body: '<html>maintenance</html>' };
    return json({ list: q.get('page') === '1' ? articles(7, 8000) : [] });
  },
  // v1 lists are gone (404 on fans, HTML on follows), v2 pages by cursor
  v2_only: (api, q) => {
    if (api === 'v1/get-fans-list') return notFound;
    if (api === 'v1/get-follow-list') return { status: 200, body: '<!DOCTYPE html><html>openresty</html>' };
    const size = Number(q.get('pageSize'));
    const cursor = Number(q.get('id'));
    if (api === 'v2/get-fans-list') return cursorList(names('fan', 45), cursor, size);
    if (api === 'v2/get-follow-list') return cursorList(names('idol', 3), cursor, size);
    return json({});
  },
  // a second user on the same site
  v2_only_too: (api, q) => users.v2_only(api, q),
  // neither list API answers
  no_lists: (api) => (api.includes('-list') && !api.includes('business') ? notFound : json({})),
};

const client = createHttpClient({ defaultTimeoutMs: 5000 });
const site = localSite((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push(`${url.pathname}${url.search}`);
  const q = url.searchParams;
  const user = q.get('username') ?? q.get('blogUsername') ?? url.pathname.split('/')[1];
  const handler = users[user];
  const api = url.pathname.replace('/community/home-api/', '');
  const answer = !handler
    ? notFound
    : url.pathname === `/${user}`
      ? { status: 200, body: home }
      : handler(api, q);
  res.writeHead(answer.status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(answer.body);
});

afterAll(() => client.close());

/** The requests made while `fn` ran, filtered to those containing `part`. */
async function sent(part: string, fn: () => Promise<unknown>): Promise<string[]> {
  const from = requests.length;
  await fn();
  return requests.slice(from).filter((r) => r.includes(part));
}

describe('article walk: the effective page size', () => {
  it('asks the served size after page 1, so a site paging by the asked size loses nothing', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url, pageSize: 100 });
    let ids: string[] = [];
    const lists = await sent('get-business-list', async () => {
      const result = await adapter.crawlUser('offset_by_size', makeContext({ http: client }));
      ids = result.articles.map((a) => a.articleId);
    });
    expect(ids).toEqual(articles(55, 5000).map((a) => String(a.articleId)));
    expect(
      lists.map((r) => `${new URLSearchParams(r.split('?')[1]).get('page')}/${/size=(\d+)/.exec(r)?.[1]}`),
    ).toEqual([
      '1/100',
      '2/20',
      '3/20', // short at the served size: the end; the list did not move, so no head re-read
    ]);
  });

  it('drafts with no tab total: a short page under total reads one more page, empty, and ends', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url, pageSize: 100 });
    let count = 0;
    const lists = await sent('get-business-list', async () => {
      count = (await adapter.crawlUser('drafts_no_tab', makeContext({ http: client }))).articles.length;
    });
    expect(count).toBe(15);
    expect(lists).toHaveLength(2); // page 1, page 2 (empty); no get-tab-total, no head re-read
  });

  it('no total and no tab total: a short first page may be a smaller page size; page 2 (empty) ends the walk', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url, pageSize: 100 });
    let count = 0;
    const lists = await sent('get-business-list', async () => {
      count = (await adapter.crawlUser('bare', makeContext({ http: client }))).articles.length;
    });
    expect(count).toBe(7);
    expect(lists).toHaveLength(2);
  });
});

describe('fans and follows through v1 or v2', () => {
  const discovery = { enabled: true, maxPerUser: 1000 };

  it('falls back to v2 on a 404 or HTML, pages by the id cursor, and remembers v2', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url, discoveryPageSize: 20 });
    let fans: string[] | undefined;
    let follows: string[] | undefined;
    const first = await sent('-list?', async () => {
      const result = await adapter.crawlUser('v2_only', makeContext({ http: client, discovery }));
      fans = result.fans;
      follows = result.follows;
    });
    expect(fans).toEqual(names('fan', 45));
    expect(follows).toEqual(names('idol', 3));
    const lists = first.filter((r) => !r.includes('business'));
    expect(lists.filter((r) => r.includes('/v1/'))).toHaveLength(1); // follows met the HTML, once
    expect(
      lists.filter((r) => r.includes('v2/get-fans-list')).map((r) => /[?&]id=(\d+)/.exec(r)?.[1]),
    ).toEqual(['0', '981', '961']); // page 3 is short at the size asked: the end

    const second = await sent('-list?', async () => {
      const result = await adapter.crawlUser('v2_only_too', makeContext({ http: client, discovery }));
      expect(result.fans).toEqual(names('fan', 45));
    });
    expect(second.filter((r) => r.includes('/v1/') && !r.includes('business'))).toEqual([]);

    // another adapter instance starts from v1 again
    const fresh = createCsdnAdapter({ baseUrl: site.url });
    const third = await sent('/v1/get-follow-list', () =>
      fresh.crawlUser('v2_only', makeContext({ http: client, discovery })),
    );
    expect(third).toHaveLength(1);
  });

  it('a list neither API serves is left undefined, with both reasons in one warning', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url });
    const context = makeContext({ http: client, discovery });
    const result = await adapter.crawlUser('no_lists', context);
    expect(result.fans).toBeUndefined();
    expect(result.follows).toBeUndefined();
    const warning = context.logs.find((l) => l.message === 'fans list unreadable');
    expect(String(warning?.fields?.error)).toMatch(/^v\d: HTTP 404; v\d: HTTP 404$/);
  });
});
