import { describe, expect, it } from 'vitest';
import type { HttpClient } from '../src/core/http-client.js';
import type { SetCounts } from '../src/core/state-store.js';
import { createCrawlMetrics } from '../src/crawler/metrics.js';
import { requestKind, statusLabel } from '../src/crawler/request-labels.js';
import { csdnUrls } from '../src/sites/csdn/urls.js';
import { parseProm, sumOf } from './helpers/prom-text.js';

const counts: SetCounts = { backlog: 1, pending: 2, leased: 3, done: 4, notfound: 5, failed: 6 };

describe('request labels', () => {
  it('names the endpoint kind of every URL the CSDN adapter builds, never a user name', () => {
    const u = csdnUrls('https://blog.csdn.net');
    expect(requestKind(u.home('some_user'))).toBe('home');
    expect(requestKind(u.legacyList('some_user', 7))).toBe('list');
    expect(requestKind(u.businessList('some_user', 1, 20))).toBe('api-list');
    expect(requestKind(u.tabTotal('some_user'))).toBe('api-list');
    expect(requestKind(u.fans('some_user', 1, 20))).toBe('fans');
    expect(requestKind(u.follows('some_user', 1, 20))).toBe('follows');
    expect(requestKind(u.fansV2('some_user', 1, 20, '0'))).toBe('fans');
    expect(requestKind(u.followsV2('some_user', 1, 20, '0'))).toBe('follows');
    expect(requestKind('https://blog.csdn.net/u/article/details/1')).toBe('other');
    expect(requestKind('not a url')).toBe('other');
  });

  it('groups statuses into classes, keeping 403, 404 and 429 apart', () => {
    expect([200, 204, 301, 403, 404, 410, 429, 500, 521, undefined].map(statusLabel)).toEqual([
      '2xx',
      '2xx',
      '3xx',
      '403',
      '404',
      '4xx',
      '429',
      '5xx',
      '5xx',
      'error',
    ]);
  });
});

describe('crawl metrics', () => {
  it('reads the store at scrape time, once per cache period, with due sizes when the store has them', async () => {
    const metrics = createCrawlMetrics({ storeCacheMs: 60_000 });
    let reads = 0;
    metrics.setSources({
      state: {
        counts: async () => {
          reads++;
          return counts;
        },
        dueSummary: async () => ({ dueNow: 7, nextHour: 8, nextDay: 9, later: 10, nextDueAt: 5_000 }),
      },
      pool: { stats: () => ({ browsers: 2, leased: 3, waiting: 1 }) },
    });
    const first = parseProm(await metrics.text());
    await metrics.text();
    expect(reads).toBe(1);
    expect(first.get('csdn_crawl_ids{set="failed"}')).toBe(6);
    expect(sumOf(first, 'csdn_crawl_ids')).toBe(21);
    expect(first.get('csdn_crawl_due{window="now"}')).toBe(7);
    expect(first.get('csdn_crawl_due{window="later"}')).toBe(10);
    expect(first.get('csdn_crawl_next_due_timestamp_seconds')).toBe(5);
    expect(first.get('csdn_crawl_browsers_open')).toBe(2);
    expect(first.get('csdn_crawl_browser_pages_open')).toBe(3);
    expect(first.get('csdn_crawl_store_up')).toBe(1);
  });

  it('omits due sizes for a store without dueSummary', async () => {
    const metrics = createCrawlMetrics();
    metrics.setSources({ state: { counts: async () => counts } });
    const series = parseProm(await metrics.text());
    expect(series.get('csdn_crawl_ids{set="done"}')).toBe(4);
    expect(sumOf(series, 'csdn_crawl_due')).toBe(0);
    expect([...series.keys()].some((k) => k.startsWith('csdn_crawl_due{'))).toBe(false);
  });

  it('a store that never answers costs the scrape its store gauges, not a hang', async () => {
    const metrics = createCrawlMetrics({ storeTimeoutMs: 200, storeCacheMs: 0 });
    metrics.setSources({ state: { counts: () => new Promise<SetCounts>(() => {}) } });
    const t0 = Date.now();
    const series = parseProm(await metrics.text());
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(series.get('csdn_crawl_store_up')).toBe(0);
    expect(series.get('csdn_crawl_store_read_failures_total')).toBe(1);
    expect([...series.keys()].some((k) => k.startsWith('csdn_crawl_ids{'))).toBe(false);
  });

  it('counts events by error code, and requests by status and kind, in registries that do not share', async () => {
    const a = createCrawlMetrics();
    const b = createCrawlMetrics();
    type Handler = (payload: never) => void;
    const handlers = new Map<string, Handler>();
    const off = a.watch((event, listener) => {
      handlers.set(event, listener as Handler);
      return () => handlers.delete(event);
    });
    const fire = (event: string, payload: unknown) => handlers.get(event)?.(payload as never);
    fire('userDone', { id: 'x', articles: 1, ms: 1 });
    fire('userFailed', { id: 'y', reason: 'parse error on <html>…', code: 'PARSE' });
    fire('userReleased', { id: 'z', reason: 'stopping', code: 'ABORTED' });
    fire('progress', { inFlight: 3 });
    fire('siteDown', { host: 'h', since: 0 });

    const answers = [200, 429];
    const raw: HttpClient = {
      get: async (url) => {
        const status = answers.shift();
        if (status === undefined) throw new Error('reset');
        return { status, url, headers: {}, body: '' };
      },
      setCookies: () => {},
      clearCookies: () => {},
    };
    const http = a.instrumentHttp(raw);
    await http.get('http://h/some_user');
    await http.get('http://h/community/home-api/v1/get-fans-list?page=1');
    await expect(http.get('http://h/some_user/article/list/2')).rejects.toThrow('reset');

    const series = parseProm(await a.text());
    expect(series.get('csdn_crawl_users_done_total')).toBe(1);
    expect(series.get('csdn_crawl_users_failed_total{code="PARSE"}')).toBe(1);
    expect(series.get('csdn_crawl_users_released_total{code="ABORTED"}')).toBe(1);
    expect(series.get('csdn_crawl_users_in_flight')).toBe(3);
    expect(series.get('csdn_crawl_sites_down')).toBe(1);
    expect(series.get('csdn_crawl_requests_total{status="2xx",kind="home"}')).toBe(1);
    expect(series.get('csdn_crawl_requests_total{status="429",kind="fans"}')).toBe(1);
    expect(series.get('csdn_crawl_requests_total{status="error",kind="list"}')).toBe(1);
    expect(series.get('csdn_crawl_requests_in_flight')).toBe(0);

    off();
    expect(handlers.size).toBe(0);
    const other = parseProm(await b.text());
    expect(other.get('csdn_crawl_users_done_total')).toBe(0);
    expect(sumOf(other, 'csdn_crawl_requests_total')).toBe(0);
  });
});
