import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserPage } from '../src/core/browser-driver.js';
import { BlockedError, ClickInterceptedError, ParseError } from '../src/core/errors.js';
import type { HttpClient } from '../src/core/http-client.js';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';
import { playwrightDriver } from '../src/drivers/playwright.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { type Replica, startReplica, type UserTruth } from '../src/testing/replica/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import { pickArticle as pick } from './helpers/truth-fields.js';

let browser: Browser;
const newPage = () => browser.newPage({ timeoutMs: 20_000 });

beforeAll(async () => {
  browser = await playwrightDriver().launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    timeoutMs: 30_000,
  });
});
afterAll(async () => {
  await browser?.kill();
});

function findUser(replica: Replica, label: string, test: (t: UserTruth) => boolean): string {
  const name = replica.usernames.find((u) => test(replica.truth(u) as UserTruth));
  if (!name) throw new Error(`no ${label} user in the replica`);
  return name;
}

describe('521 challenge passed in a browser, then HTTP with its cookies', () => {
  let replica: Replica;
  let http: NodeHttpClient;
  beforeAll(async () => {
    // the cookie wears out after 12 requests: the adapter must pass again, more than once
    replica = await startReplica({
      users: 120,
      seed: 3,
      faults: { challenge: true, challengeCookieUses: 12 },
    });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    http?.close();
    await replica?.close();
  });

  it('without a browser the challenge is a BlockedError(challenge)', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const error = await adapter
      .crawlUser(replica.usernames[0], makeContext({ http }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlockedError);
    expect((error as BlockedError).kind).toBe('challenge');
  });

  it('passes once per worn-out cookie, shared by users crawled at the same time', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pageSize: 50 });
    const users = replica.usernames
      .filter((u) => (replica.truth(u) as UserTruth).articles.length > 0)
      .slice(0, 6);
    const contexts = users.map(() => makeContext({ http, page: newPage }));
    const results = await Promise.all(users.map((u, i) => adapter.crawlUser(u, contexts[i])));
    for (const [i, result] of results.entries()) {
      const truth = replica.truth(users[i]) as UserTruth;
      expect(result.articles).toEqual(truth.articles);
      expect(result.profile.fansCount).toBe(truth.profile.fansCount);
    }
    const passes = contexts.reduce((n, c) => n + c.pagesLeased, 0);
    const released = contexts.reduce((n, c) => n + c.pagesReleased, 0);
    const requests = replica.stats().total;
    expect(passes).toBeGreaterThanOrEqual(2); // the cookie wore out at least once
    expect(passes).toBeLessThanOrEqual(Math.ceil(requests / 12) + 1); // never a pass per request
    expect(released).toBe(passes);
  });
});

describe('legacy skin walked by clicking 下一页 in a real browser', () => {
  let replica: Replica;
  let http: NodeHttpClient;
  beforeAll(async () => {
    replica = await startReplica({
      users: 200,
      seed: 11,
      legacyOnly: true,
      overlay: true,
      pagerDelayMs: [20, 120],
    });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    http?.close();
    await replica?.close();
  });

  it('walks multi-page, single-page and empty users, hiding the migration banner', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pagerTimeoutMs: 5000 });
    const users = [
      findUser(replica, '3-5 pages', (t) => t.articles.length > 40 && t.articles.length <= 100),
      findUser(replica, 'single page', (t) => t.articles.length > 0 && t.articles.length < 20),
      findUser(replica, 'empty', (t) => t.articles.length === 0),
    ];
    for (const username of users) {
      const context = makeContext({ http, page: newPage, browserMode: 'always' });
      const result = await adapter.crawlUser(username, context);
      const truth = replica.truth(username) as UserTruth;
      expect(result.source).toBe('legacy-browser');
      expect(result.articles.map(pick)).toEqual(truth.articles.map(pick));
      expect(result.profile.articleCount).toBe(truth.articles.length);
      expect(context.pagesReleased).toBe(context.pagesLeased);
    }
  });

  it('articles published while clicking through (rate 1): none missed, none twice', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pagerTimeoutMs: 5000 });
    const username = findUser(replica, '3-4 pages', (t) => t.articles.length > 45 && t.articles.length <= 75);
    replica.setFaults({ publishMidWalk: 1 });
    try {
      const context = makeContext({ http, page: newPage, browserMode: 'always' });
      const result = await adapter.crawlUser(username, context);
      const truth = replica.truth(username) as UserTruth;
      expect(result.articles.map((a) => a.articleId)).toEqual(truth.articles.map((a) => a.articleId));
      expect(result.profile.originalCount).toBe(truth.profile.originalCount);
      expect(context.logs.some((l) => l.message === 'articles published during the walk')).toBe(true);
    } finally {
      replica.setFaults({ publishMidWalk: 0 });
    }
  });

  it('a list HTTP cannot read is walked in a browser when one may be used', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pagerTimeoutMs: 5000 });
    const username = findUser(replica, '2-3 pages', (t) => t.articles.length > 20 && t.articles.length <= 60);
    // Plain HTTP gets a maintenance page instead of the list; a browser sees the real one.
    const maintenance: HttpClient = {
      async get(url, options) {
        const response = await http.get(url, options);
        return url.includes('/article/list/')
          ? { ...response, body: '<html><body>系统维护中</body></html>' }
          : response;
      },
      setCookies: (host, cookies) => http.setCookies(host, cookies),
      clearCookies: (host) => http.clearCookies(host),
    };
    const context = makeContext({ http: maintenance, page: newPage, browserMode: 'when-needed' });
    const result = await adapter.crawlUser(username, context);
    expect(result.source).toBe('legacy-browser');
    expect(result.articles.map(pick)).toEqual((replica.truth(username) as UserTruth).articles.map(pick));
    expect(
      context.logs.some((l) => l.level === 'warn' && l.message.includes('walking it in a browser')),
    ).toBe(true);
    // without a browser the same user is a ParseError
    const noBrowser = await adapter
      .crawlUser(username, makeContext({ http: maintenance }))
      .catch((e: unknown) => e);
    expect(noBrowser).toBeInstanceOf(ParseError);
  });

  it('an intercepted click means hide the overlay and retry', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pagerTimeoutMs: 5000 });
    const username = findUser(replica, '2-3 pages', (t) => t.articles.length > 20 && t.articles.length <= 60);
    let intercepted = 0;
    // The first dismissal is skipped, so the real banner really sits over the pager.
    const withBanner = async (): Promise<BrowserPage> => {
      const page = await newPage();
      let skipped = false;
      return new Proxy(page, {
        get(target, key) {
          if (key === 'evaluate') {
            return async (expression: string, deadline: { timeoutMs: number }) => {
              if (!skipped && expression.includes('display')) {
                skipped = true;
                await target.evaluate(
                  "document.querySelector('li.js-page-next') && document.querySelector('li.js-page-next').scrollIntoView({block:'end'}); window.scrollTo(0, document.body.scrollHeight)",
                  deadline,
                );
                return 0;
              }
              return target.evaluate(expression, deadline);
            };
          }
          if (key === 'click') {
            return async (selector: string, deadline: { timeoutMs: number }) => {
              try {
                await target.click(selector, deadline);
              } catch (error) {
                if (error instanceof ClickInterceptedError) intercepted++;
                throw error;
              }
            };
          }
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
    const context = makeContext({ http, page: withBanner, browserMode: 'always' });
    const result = await adapter.crawlUser(username, context);
    expect(result.articles.map((a) => a.articleId)).toEqual(
      (replica.truth(username) as UserTruth).articles.map((a) => a.articleId),
    );
    expect(intercepted).toBeGreaterThanOrEqual(1);
    expect(context.logs.some((l) => l.message.includes('did not land'))).toBe(true);
  });

  it('a pager that never moves ends in a ParseError with a snapshot, not a hang', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pagerTimeoutMs: 600, clickAttempts: 2 });
    const username = findUser(replica, '2-3 pages', (t) => t.articles.length > 20 && t.articles.length <= 60);
    const deadPager = async (): Promise<BrowserPage> => {
      const page = await newPage();
      return new Proxy(page, {
        get(target, key) {
          // clicks land on nothing: the page script never navigates
          if (key === 'click') return async () => undefined;
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    };
    const context = makeContext({ http, page: deadPager, browserMode: 'always' });
    const error = await adapter.crawlUser(username, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/stopped at page 1 of \d/);
    expect((error as ParseError).snapshot).toBe('/tmp/snapshot-1-legacy-pager.html');
    expect(context.snapshots[0].page).toBeDefined();
    expect(context.pagesReleased).toBe(1);
  });
});
