/**
 * `politeHttp()`, the HttpClient the engine hands adapters: it adds the host limiter, a deadline
 * per request, request-level retries judged by the shared retry policy, and outage detection.
 * Core code: it wraps the HttpClient interface only, never node:http.
 */
import { abortError, linkedSignal, sleep } from './deadline.js';
import type { OutageMonitor } from './engine/outage-monitor.js';
import {
  AbortedError,
  InvalidInputError,
  NetworkError,
  SiteDownError,
  ThrottledError,
  TimeoutError,
} from './errors.js';
import type { HostLimiter } from './host-limiter.js';
import type { HostRates } from './host-rates.js';
import type { HttpClient, HttpRequestOptions, HttpResponse } from './http-client.js';
import { type Logger, silentLogger } from './logger.js';
import type { PagePacer } from './polite-page.js';
import type { Answer } from './rate-controller.js';
import { DEFAULT_MAX_THROTTLE_WAIT_MS, type RetryPolicy } from './retry-policy.js';
import { createRetryTracker } from './retry-tracker.js';

/** Settings are required (resolved by the caller: the config schema and `ENGINE_TUNING`). */
export interface PoliteHttpOptions {
  /** Deadline of one request when the caller gives none (and the most a caller may ask). */
  requestTimeoutMs: number;
  /** Request-level retries of transient failures (5xx, reset, timeout); 429 waits cost nothing. */
  retry: RetryPolicy;
  outage?: OutageMonitor;
  /** The adaptive rate per host; without it the limiter's rate stays fixed. */
  rates?: HostRates;
  logger?: Logger;
}

export interface PoliteHttpClient extends HttpClient {
  /** Requests actually sent (retries included). */
  requestCount(): number;
  /** The same budget for browser page loads (polite-page.ts). */
  readonly pages: PagePacer;
}

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
/** A bot wall: 403, or nginx's 444 (closing on a client it refuses, reported on fast batch runs). */
const WALL_STATUS = new Set([403, 444]);
/** Pause of a host after a 403, doubled for each 403 in a row. */
const WALL_PAUSE_MS = 1000;
const WALL_PAUSE_MAX_MS = 30_000;

export function politeHttp(
  client: HttpClient,
  limiter: HostLimiter,
  options: PoliteHttpOptions,
): PoliteHttpClient {
  const { requestTimeoutMs, retry: policy } = options;
  const outage = options.outage;
  const rates = options.rates;
  const log = options.logger ?? silentLogger;
  let requests = 0;
  const wallsInRow = new Map<string, number>();

  /** Holds the host as an answer asks: a 429's Retry-After, a wall for longer each time in a row. */
  function hold(host: string, status: number, retryAfterMs: number | undefined): void {
    if (WALL_STATUS.has(status)) {
      // A 403 is most often a bot wall counting our requests (a 444 is nginx's way of saying
      // the same): everyone holds off the host, longer each time in a row, as a 429 would make us do.
      const walls = wallsInRow.get(host) ?? 0;
      wallsInRow.set(host, walls + 1);
      limiter.defer(host, Math.min(WALL_PAUSE_MAX_MS, WALL_PAUSE_MS * 2 ** walls));
      return;
    }
    wallsInRow.delete(host);
    if (status === 429 && retryAfterMs !== undefined)
      limiter.defer(host, Math.min(retryAfterMs, policy.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS));
  }

  /** Browser loads on the same budget: the page's document judged as an HTTP answer would be. */
  const pacer: PagePacer = {
    acquire: async (host, signal) => {
      rates?.prepare(host);
      const release = await limiter.acquire(host, signal);
      rates?.started(host);
      return release;
    },
    answered: (host, { status, retryAfterMs }) => {
      if (status === null) return;
      if (status === 429 || WALL_STATUS.has(status))
        rates?.answered(host, statusAnswer(status, wallsInRow.get(host) ?? 0, 0), Date.now());
      if (status < 500) hold(host, status, retryAfterMs);
    },
  };

  /** The error an exchange amounts to (undefined for a usable answer); feeds the outage monitor and the rate. */
  function assess(
    host: string,
    url: string,
    response: HttpResponse | undefined,
    error: unknown,
    startedAt: number,
  ): unknown {
    const walls = wallsInRow.get(host) ?? 0;
    rates?.answered(host, answerOf(response, error, walls, Date.now() - startedAt), startedAt);
    if (response) {
      if (TRANSIENT_STATUS.has(response.status)) {
        const failure = new NetworkError(`HTTP ${response.status} from ${host}`, { status: response.status });
        outage?.recordFailure(host, url, failure);
        return failure;
      }
      outage?.recordSuccess(host);
      if (response.status !== 429) {
        hold(host, response.status, undefined);
        return undefined;
      }
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      hold(host, 429, retryAfterMs);
      return new ThrottledError(`HTTP 429 from ${host}`, retryAfterMs);
    }
    if (error instanceof NetworkError || error instanceof TimeoutError)
      outage?.recordFailure(host, url, error);
    return error;
  }

  async function get(url: string, request: HttpRequestOptions = {}): Promise<HttpResponse> {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      throw new InvalidInputError(`not a URL: ${url.slice(0, 200)}`);
    }
    const timeoutMs = Math.min(request.timeoutMs ?? requestTimeoutMs, requestTimeoutMs);
    const retries = createRetryTracker(policy);
    for (;;) {
      if (request.signal?.aborted) throw abortError(request.signal);
      if (outage?.isDown(host)) throw new SiteDownError(`site ${host} is down`);
      const link = linkedSignal([request.signal, outage?.downSignal(host)]);
      let response: HttpResponse | undefined;
      let error: unknown;
      try {
        rates?.prepare(host);
        const release = await limiter.acquire(host, link.signal);
        const startedAt = rates ? rates.started(host) : Date.now();
        try {
          requests++;
          response = await client.get(url, { ...request, timeoutMs, signal: link.signal });
        } catch (caught) {
          error = caught;
        } finally {
          // Judged before the slot is given back: the next queued request must already see the
          // host down when this failure was the last straw.
          error = assess(host, url, response, error, startedAt);
          release();
        }
      } catch (caught) {
        error = caught;
      } finally {
        link.dispose();
      }
      if (error === undefined && response) return response;
      if (error instanceof SiteDownError || error instanceof AbortedError) throw error;
      if (outage?.isDown(host)) throw new SiteDownError(`site ${host} is down`, { cause: error });

      const decision = retries.judge(error);
      if (decision.action !== 'retry') {
        // A last 5xx or 429 answer goes to the adapter, which knows what the page means.
        if (response) return response;
        throw error;
      }
      log.debug('request retry', {
        host,
        attempt: retries.attempts,
        throttles: retries.throttles,
        delayMs: decision.delayMs,
        error: String(error),
      });
      const wait = linkedSignal([request.signal, outage?.downSignal(host)]);
      try {
        await sleep(decision.delayMs, wait.signal);
      } finally {
        wait.dispose();
      }
    }
  }

  return {
    get,
    setCookies: (host, cookies) => client.setCookies(host, cookies),
    clearCookies: (host) => client.clearCookies(host),
    requestCount: () => requests,
    pages: pacer,
  };
}

/**
 * What an exchange tells the rate controller (rate-controller.ts). Wall: the first 403 or 444 of
 * a row (the next ones are the wall's cooldown, not new evidence). Pushback: 429. Strain:
 * timeouts, resets and the 521 check. 5xx belong to the outage monitor; our own aborts say nothing.
 */
export function answerOf(
  response: HttpResponse | undefined,
  error: unknown,
  wallsInRow: number,
  latencyMs: number,
): Answer {
  if (response) return statusAnswer(response.status, wallsInRow, latencyMs);
  if (error instanceof TimeoutError) return { kind: 'strain', reason: 'timeouts' };
  if (error instanceof NetworkError && error.status === undefined)
    return { kind: 'strain', reason: 'resets' };
  return { kind: 'neutral' };
}

/** What an answer's HTTP status tells the rate controller (an HTTP response's or a browser document's). */
function statusAnswer(status: number, wallsInRow: number, latencyMs: number): Answer {
  if (status === 429) return { kind: 'pushback', reason: 'HTTP 429' };
  if (WALL_STATUS.has(status))
    return wallsInRow === 0 ? { kind: 'wall', reason: `HTTP ${status} wall` } : { kind: 'neutral' };
  if (status === 521) return { kind: 'strain', reason: 'HTTP 521 check' };
  if (status >= 500) return { kind: 'neutral' };
  return { kind: 'good', latencyMs };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isFinite(at)) return Math.max(0, at - now);
  return undefined;
}
