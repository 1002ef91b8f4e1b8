import { describe, expect, it } from 'vitest';
import type { BrowserPage } from '../src/core/browser-driver.js';
import { type CrawlContextDeps, createCrawlContexts } from '../src/core/engine/crawl-context.js';
import { AbortedError, MissingDependencyError } from '../src/core/errors.js';
import type { HttpClient, HttpRequestOptions } from '../src/core/http-client.js';
import type { LogLevel } from '../src/core/logger.js';
import type { PageLease } from '../src/core/site-adapter.js';

function setup(more: Partial<CrawlContextDeps> = {}) {
  const requests: HttpRequestOptions[] = [];
  const logged: { level: LogLevel; fields?: Record<string, unknown> }[] = [];
  const saved: string[] = [];
  const http: HttpClient = {
    async get(url, request = {}) {
      requests.push(request);
      return { status: 200, url, headers: {}, body: '' };
    },
    setCookies() {},
    clearCookies() {},
  };
  const pool = { leased: 0, released: 0 };
  const contexts = createCrawlContexts({
    http,
    browserMode: 'when-needed',
    pagePool: {
      available: true,
      async lease(): Promise<PageLease> {
        pool.leased++;
        return {
          page: {} as BrowserPage,
          release: async () => {
            pool.released++;
          },
        };
      },
      async close() {},
    },
    pageWaitMs: 60_000,
    snapshots: {
      save: async (id) => {
        saved.push(id);
        return `${id}.json`;
      },
    },
    discovery: { enabled: false, maxDepth: 1, maxPerUser: 10 },
    graph: { follows: true, fans: false, maxFollows: 5, maxFans: 0 },
    log: {
      debug: (_m, fields) => logged.push({ level: 'debug', fields }),
      info: (_m, fields) => logged.push({ level: 'info', fields }),
      warn: (_m, fields) => logged.push({ level: 'warn', fields }),
      error: (_m, fields) => logged.push({ level: 'error', fields }),
    },
    ...more,
  });
  return { contexts, requests, logged, saved, pool };
}

describe('crawl context', () => {
  it('binds HTTP requests to the attempt: aborting the attempt aborts what the adapter sends', async () => {
    const t = setup();
    const attempt = new AbortController();
    const { context } = t.contexts.open('u1', attempt.signal);
    await context.http.get('http://a.example/');
    expect(t.requests[0].signal?.aborted).toBe(false);
    attempt.abort();
    await context.http.get('http://a.example/');
    expect(t.requests[1].signal?.aborted).toBe(true);
  });

  it("a request in flight ends on its own signal or the attempt's, whichever the adapter passes", async () => {
    // answers only when the request's signal aborts
    const seen: AbortSignal[] = [];
    const http: HttpClient = {
      get: (_url, request = {}) =>
        new Promise((_resolve, reject) => {
          seen.push(request.signal as AbortSignal);
          request.signal?.addEventListener('abort', () => reject(new AbortedError('aborted')));
        }),
      setCookies() {},
      clearCookies() {},
    };
    const t = setup({ http });
    const attempt = new AbortController();
    const { context } = t.contexts.open('u1', attempt.signal);
    const own = new AbortController();
    const byOwn = context.http.get('http://a.example/', { signal: own.signal });
    const bySame = context.http.get('http://a.example/', { signal: attempt.signal });
    const byNone = context.http.get('http://a.example/');
    own.abort();
    await expect(byOwn).rejects.toBeInstanceOf(AbortedError);
    expect(seen.map((s) => s.aborted)).toEqual([true, false, false]);
    attempt.abort();
    await expect(bySame).rejects.toBeInstanceOf(AbortedError);
    await expect(byNone).rejects.toBeInstanceOf(AbortedError);
    expect(seen.map((s) => s.aborted)).toEqual([true, true, true]);
  });

  it('names the user in its log lines and its snapshots, and hands over the settings', async () => {
    const t = setup();
    const { context } = t.contexts.open('u1', new AbortController().signal);
    context.log.warn('hello', { extra: 1 });
    expect(t.logged).toEqual([{ level: 'warn', fields: { user: 'u1', extra: 1 } }]);
    expect(await context.snapshot({ note: 'x' } as never)).toBe('u1.json');
    expect(context.graph.maxFollows).toBe(5);
    expect(context.canUseBrowser).toBe(true);
  });

  it('gives back every page leased once the attempt closes, and refuses a page asked for afterwards', async () => {
    const t = setup();
    const { context, pages } = t.contexts.open('u1', new AbortController().signal);
    await context.page();
    await context.page();
    expect(pages.leased.length).toBe(2);
    await pages.close();
    expect(t.pool.released).toBe(2);
    await expect(context.page()).rejects.toBeInstanceOf(AbortedError);
    expect(t.pool.leased).toBe(3);
    expect(t.pool.released).toBe(3);
  });

  it('without a browser, page() fails with MissingDependencyError', async () => {
    const off = setup({ browserMode: 'never' }).contexts.open('u1', new AbortController().signal);
    expect(off.context.canUseBrowser).toBe(false);
    await expect(off.context.page()).rejects.toBeInstanceOf(MissingDependencyError);
    const none = setup({ pagePool: undefined }).contexts.open('u1', new AbortController().signal);
    await expect(none.context.page()).rejects.toThrow(/none is available/);
  });
});
