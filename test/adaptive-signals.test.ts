import { describe, expect, it } from 'vitest';
import { AbortedError, NetworkError, TimeoutError } from '../src/core/errors.js';
import { HostLimiter } from '../src/core/host-limiter.js';
import { describeChange } from '../src/core/host-rates.js';
import { answerOf } from '../src/core/polite-http.js';
import { createCrawlMetrics } from '../src/crawler/metrics.js';
import { throwForStatus } from '../src/sites/csdn/classify-response.js';
import { parseProm } from './helpers/prom-text.js';

const response = (status: number) => ({ status, url: 'http://a.example/', headers: {}, body: '' });

describe('what an answer tells the rate controller', () => {
  it('a first 403 or 444 is a wall, a 429 pushback; the rest of a wall row says nothing new', () => {
    expect(answerOf(response(429), undefined, 0, 10)).toEqual({ kind: 'pushback', reason: 'HTTP 429' });
    expect(answerOf(response(403), undefined, 0, 10)).toEqual({ kind: 'wall', reason: 'HTTP 403 wall' });
    expect(answerOf(response(444), undefined, 0, 10)).toEqual({ kind: 'wall', reason: 'HTTP 444 wall' });
    expect(answerOf(response(403), undefined, 2, 10)).toEqual({ kind: 'neutral' });
  });

  it('timeouts, resets and the 521 check are strain; 5xx and our own aborts are neutral; the rest good', () => {
    expect(answerOf(undefined, new TimeoutError('slow'), 0, 10).kind).toBe('strain');
    expect(answerOf(undefined, new NetworkError('socket hang up'), 0, 10).kind).toBe('strain');
    expect(answerOf(response(521), undefined, 0, 10).kind).toBe('strain');
    expect(answerOf(response(503), undefined, 0, 10).kind).toBe('neutral');
    expect(answerOf(undefined, new AbortedError('stop'), 0, 10).kind).toBe('neutral');
    expect(answerOf(response(404), undefined, 0, 42)).toEqual({ kind: 'good', latencyMs: 42 });
  });

  it('the CSDN adapter takes a 444 for the bot wall it is (a free wait, not a failure)', () => {
    let thrown: unknown;
    try {
      throwForStatus(response(444), 'home page');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ kind: 'wall', status: 444 });
  });

  it('names a change of regime in one line', () => {
    const base = { from: 8, to: 4, regimeChanged: true };
    expect(describeChange('blog.csdn.net', { ...base, regime: 'throttled', reason: 'HTTP 429' })).toBe(
      'rate blog.csdn.net throttled (HTTP 429): 8.0 → 4.0/s',
    );
    expect(describeChange('h', { ...base, to: 27.4, regime: 'steady', reason: 'below pushback' })).toBe(
      'rate h steady at 27/s (below pushback)',
    );
  });
});

describe('the adaptive rate in the metrics', () => {
  it('a gauge per host from progress and changes, and a counter of cuts by reason', async () => {
    const metrics = createCrawlMetrics();
    type Handler = (payload: never) => void;
    const handlers = new Map<string, Handler>();
    const off = metrics.watch((event, listener) => {
      handlers.set(event, listener as Handler);
      return () => handlers.delete(event);
    });
    const fire = (event: string, payload: unknown) => handlers.get(event)?.(payload as never);
    fire('progress', { inFlight: 1, rates: { 'blog.csdn.net': 4 } });
    const cut = { host: 'blog.csdn.net', regime: 'throttled', regimeChanged: true, reason: 'HTTP 403 wall' };
    fire('rateChange', { ...cut, from: 4, to: 2 });
    fire('rateChange', { ...cut, from: 2.2, to: 2.4, reason: 'answers good', regimeChanged: false });
    const series = parseProm(await metrics.text());
    expect(series.get('csdn_crawl_host_request_rate{host="blog.csdn.net"}')).toBe(2.4);
    expect(series.get('csdn_crawl_rate_cuts_total{host="blog.csdn.net",reason="HTTP 403 wall"}')).toBe(1);
    off();
    expect(parseProm(await metrics.text()).has('csdn_crawl_host_request_rate{host="blog.csdn.net"}')).toBe(
      false,
    );
  });
});

describe('HostLimiter holds', () => {
  it('a faster rate never pulls a start into a Retry-After hold', async () => {
    const limiter = new HostLimiter({ maxInFlightPerHost: 4, minDelayMs: 0 });
    limiter.setRate('a.example', 1);
    (await limiter.acquire('a.example'))();
    const heldFrom = Date.now();
    limiter.defer('a.example', 300);
    // the controller raises the rate during the hold: the gap shrinks, the hold does not
    limiter.setRate('a.example', 1000);
    (await limiter.acquire('a.example'))();
    expect(Date.now() - heldFrom).toBeGreaterThanOrEqual(299);
  });
});
