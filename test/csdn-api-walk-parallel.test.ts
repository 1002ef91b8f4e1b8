import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import { localSite } from './helpers/local-site.js';

// The requests of one user that do not depend on each other go out together, and pages answered
// out of order around a publish lose nothing. The site below holds answers back until the
// request they wait for has arrived: a crawler sending one request at a time never gets an
// answer and the test fails (vitest's own timeout), so it checks the parallelism too.

const home = readFileSync(path.join(__dirname, 'fixtures/csdn/home-today.html'), 'utf8');
const envelope = (data: unknown) => JSON.stringify({ code: 200, message: 'success', traceId: 't', data });

function item(articleId: number) {
  return {
    articleId,
    title: `a${articleId}`,
    url: `https://blog.csdn.net/x/article/details/${articleId}`,
    type: 1,
    postTime: '2024-01-01 00:00:00',
    viewCount: 1,
    commentCount: 0,
  };
}

/** One user's list, newest first; `publish()` puts a new article at the head. */
function articleList(n: number) {
  const ids = Array.from({ length: n }, (_, i) => 10_000 + n - i);
  return {
    ids,
    publish: () => ids.unshift(ids[0] + 1),
    page: (page: number, size: number) =>
      envelope({ list: ids.slice((page - 1) * size, page * size).map(item), total: ids.length }),
  };
}

/** A promise resolved from outside: "this request has arrived". */
function signal() {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
}

const requests: string[] = [];
const send = (res: ServerResponse, body: string) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
};

// together: home is answered only once list page 1 has arrived.
const together = articleList(30);
const page1Arrived = signal();
// shifting: 250 articles; page 2 is answered after page 3, with a publish in between, so the
// item that was last on page 2 is on page 3 by the time page 2 is answered: read by neither.
const shifting = articleList(250);
const page3Answered = signal();
const shiftingReads = new Map<number, number>();

const site = localSite(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push(`${url.pathname}${url.search}`);
  const q = url.searchParams;
  const user = q.get('username') ?? url.pathname.split('/')[1];
  const page = Number(q.get('page'));
  const size = Number(q.get('size'));
  if (url.pathname === '/together') {
    await page1Arrived.fired;
    return send(res, home);
  }
  if (url.pathname === '/shifting') return send(res, home);
  if (user === 'together') {
    if (page === 1) page1Arrived.fire();
    return send(res, together.page(page, size));
  }
  if (user === 'shifting') {
    const nth = (shiftingReads.get(page) ?? 0) + 1;
    shiftingReads.set(page, nth);
    if (page === 2 && nth === 1) {
      await page3Answered.fired;
      shifting.publish();
    }
    send(res, shifting.page(page, size));
    if (page === 3 && nth === 1) page3Answered.fire();
    return;
  }
  res.writeHead(404).end();
});

const client = createHttpClient({ defaultTimeoutMs: 5000, maxSockets: 8 });
afterAll(() => client.close());

function listRequests(from: number): string[] {
  return requests
    .slice(from)
    .filter((r) => r.includes('get-business-list'))
    .map((r) => `page ${new URLSearchParams(r.split('?')[1]).get('page')}`);
}

describe('the API walk sends independent requests together', () => {
  it('asks for list page 1 while the home page is still on its way', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url });
    const from = requests.length;
    const result = await adapter.crawlUser('together', makeContext({ http: client }));
    expect(result.articles.map((a) => Number(a.articleId))).toEqual(together.ids);
    // home and one list page: nothing else was needed (the count says 30 of 30)
    expect(requests.slice(from)).toHaveLength(2);
  });

  it('closes the gap of pages answered out of order around a publish, then reads the head', async () => {
    const adapter = createCsdnAdapter({ baseUrl: site.url });
    const from = requests.length;
    const context = makeContext({ http: client });
    const result = await adapter.crawlUser('shifting', context);
    expect(shifting.ids).toHaveLength(251);
    expect(result.articles.map((a) => Number(a.articleId))).toEqual(shifting.ids);
    expect(result.profile.articleCount).toBe(251);
    expect(listRequests(from)).toEqual([
      'page 1',
      'page 2',
      'page 3',
      'page 3', // read again: page 2 was answered after a publish, page 3 before it
      'page 1', // the head: the new article
    ]);
    expect(
      context.logs.find((l) => l.message === 'articles published during the walk')?.fields,
    ).toMatchObject({
      fresh: 1,
    });
  });
});
