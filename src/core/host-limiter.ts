/**
 * Politeness per host (at most N requests in flight, a minimum gap between request starts) and
 * the wrapper `politeHttp()` the engine hands adapters: it adds the limiter, a deadline per
 * request, request-level retries judged by the shared retry policy, and outage detection.
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
import type { HttpClient, HttpRequestOptions, HttpResponse } from './http-client.js';
import { type Logger, silentLogger } from './logger.js';
import { DEFAULT_MAX_THROTTLE_WAIT_MS, type RetryPolicy } from './retry-policy.js';
import { createRetryTracker } from './retry-tracker.js';
import { nextWaiter, type Waiter, waitInQueue } from './wait-queue.js';

/** Resolved settings: the defaults live in the config schema (`politeness`), not here. */
export interface PolitenessOptions {
  /** Requests in flight per host at most. */
  maxInFlightPerHost: number;
  /** Minimum gap between two request starts to the same host. */
  minDelayMs: number;
}

interface HostState {
  active: number;
  nextStartAt: number;
  queue: Waiter<() => void>[];
  timer?: ReturnType<typeof setTimeout>;
}

export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private readonly options: PolitenessOptions;

  constructor(options: PolitenessOptions) {
    this.options = {
      maxInFlightPerHost: Math.max(1, options.maxInFlightPerHost),
      minDelayMs: Math.max(0, options.minDelayMs),
    };
  }

  /** Wait for a slot on `host`; resolves with the function that gives it back (call it once). */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    const state = this.state(host);
    return waitInQueue(state.queue, signal, () => this.pump(host, state));
  }

  /** Hold back new request starts to `host` for `ms` (a Retry-After applies to everyone). */
  defer(host: string, ms: number): void {
    const state = this.state(host);
    state.nextStartAt = Math.max(state.nextStartAt, Date.now() + ms);
    this.pump(host, state);
  }

  inFlight(host: string): number {
    return this.hosts.get(host)?.active ?? 0;
  }

  queued(host: string): number {
    return this.hosts.get(host)?.queue.length ?? 0;
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { active: 0, nextStartAt: 0, queue: [] };
      this.hosts.set(host, state);
    }
    return state;
  }

  private pump(host: string, state: HostState): void {
    while (state.queue.length > 0 && state.active < this.options.maxInFlightPerHost) {
      const now = Date.now();
      if (now < state.nextStartAt) {
        if (state.timer) clearTimeout(state.timer);
        state.timer = setTimeout(() => {
          state.timer = undefined;
          this.pump(host, state);
        }, state.nextStartAt - now);
        return;
      }
      const waiter = nextWaiter(state.queue)!;
      state.active++;
      state.nextStartAt = now + this.options.minDelayMs;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        state.active--;
        this.pump(host, state);
      });
    }
  }
}

/** Settings are required (resolved by the caller: the config schema and `ENGINE_TUNING`). */
export interface PoliteHttpOptions {
  /** Deadline of one request when the caller gives none (and the most a caller may ask). */
  requestTimeoutMs: number;
  /** Request-level retries of transient failures (5xx, reset, timeout); 429 waits cost nothing. */
  retry: RetryPolicy;
  outage?: OutageMonitor;
  logger?: Logger;
}

export interface PoliteHttpClient extends HttpClient {
  /** Requests actually sent (retries included). */
  requestCount(): number;
}

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
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
  const log = options.logger ?? silentLogger;
  let requests = 0;
  const wallsInRow = new Map<string, number>();

  /** The error an exchange amounts to (undefined for a usable answer); feeds the outage monitor. */
  function assess(host: string, url: string, response: HttpResponse | undefined, error: unknown): unknown {
    if (response) {
      if (TRANSIENT_STATUS.has(response.status)) {
        const failure = new NetworkError(`HTTP ${response.status} from ${host}`, { status: response.status });
        outage?.recordFailure(host, url, failure);
        return failure;
      }
      outage?.recordSuccess(host);
      if (response.status === 403) {
        // A 403 is most often a bot wall counting our requests: everyone holds off the host,
        // longer each time in a row, as a 429 would make us do.
        const walls = (wallsInRow.get(host) ?? 0) + 1;
        wallsInRow.set(host, walls);
        limiter.defer(host, Math.min(WALL_PAUSE_MAX_MS, WALL_PAUSE_MS * 2 ** (walls - 1)));
        return undefined;
      }
      wallsInRow.delete(host);
      if (response.status !== 429) return undefined;
      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      if (retryAfterMs !== undefined)
        limiter.defer(host, Math.min(retryAfterMs, policy.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS));
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
        const release = await limiter.acquire(host, link.signal);
        try {
          requests++;
          response = await client.get(url, { ...request, timeoutMs, signal: link.signal });
        } catch (caught) {
          error = caught;
        } finally {
          // Judged before the slot is given back: the next queued request must already see the
          // host down when this failure was the last straw.
          error = assess(host, url, response, error);
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
  };
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
