import { describe, expect, it } from 'vitest';
import { ENGINE_TUNING } from '../src/core/engine/index.js';
import { OutageMonitor } from '../src/core/engine/outage-monitor.js';
import { AbortedError, NetworkError, SiteDownError, TimeoutError } from '../src/core/errors.js';
import { HostLimiter } from '../src/core/host-limiter.js';
import type { HttpClient, HttpRequestOptions, HttpResponse } from '../src/core/http-client.js';
import { parseRetryAfter, politeHttp } from '../src/core/polite-http.js';

/** A scripted HttpClient: each call takes the next answer (a response, an error or 'hang'). */
function scripted(answers: (Partial<HttpResponse> | Error | 'hang')[]) {
  const calls: { url: string; at: number }[] = [];
  let active = 0;
  let maxActive = 0;
  const client: HttpClient = {
    async get(url: string, options: HttpRequestOptions = {}) {
      calls.push({ url, at: Date.now() });
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        const answer = answers.length > 1 ? answers.shift()! : answers[0];
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (answer === 'hang') {
          await new Promise((_, reject) => {
            options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
          });
        }
        if (answer instanceof Error) throw answer;
        return { status: 200, url, headers: {}, body: 'ok', ...(answer as Partial<HttpResponse>) };
      } finally {
        active--;
      }
    },
    setCookies() {},
    clearCookies() {},
  };
  return { client, calls, maxActive: () => maxActive };
}

describe('HostLimiter', () => {
  it('keeps at most N requests in flight per host and spaces request starts', async () => {
    const limiter = new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 30 });
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const release = await limiter.acquire('a.example');
        starts.push(Date.now());
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 40));
        active--;
        release();
      }),
    );
    expect(maxActive).toBe(2);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(28);
  });

  it('limits hosts independently', async () => {
    const limiter = new HostLimiter({ maxInFlightPerHost: 1, minDelayMs: 0 });
    const a = await limiter.acquire('a');
    const b = await limiter.acquire('b');
    expect(limiter.inFlight('a')).toBe(1);
    expect(limiter.inFlight('b')).toBe(1);
    const waiting = limiter.acquire('a');
    expect(limiter.queued('a')).toBe(1);
    a();
    (await waiting)();
    b();
    expect(limiter.inFlight('a')).toBe(0);
  });

  it('a waiter whose signal aborts leaves the queue with AbortedError', async () => {
    const limiter = new HostLimiter({ maxInFlightPerHost: 1, minDelayMs: 0 });
    const held = await limiter.acquire('a');
    const controller = new AbortController();
    const waiting = limiter.acquire('a', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(limiter.queued('a')).toBe(0);
    held();
  });
});

describe('politeHttp', () => {
  const fast = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

  it('retries 5xx and resets, then returns the good answer', async () => {
    const s = scripted([{ status: 503 }, new NetworkError('ECONNRESET'), { status: 200, body: 'fine' }]);
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 1, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: fast,
    });
    const response = await http.get('http://a.example/x');
    expect(response.body).toBe('fine');
    expect(s.calls.length).toBe(3);
    expect(http.requestCount()).toBe(3);
  });

  it('gives the last 5xx answer to the adapter when retries run out', async () => {
    const s = scripted([{ status: 502 }]);
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: fast,
    });
    expect((await http.get('http://a.example/x')).status).toBe(502);
    expect(s.calls.length).toBe(3);
  });

  it('rejects with the error when network retries run out', async () => {
    const s = scripted([new TimeoutError('slow')]);
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: fast,
    });
    await expect(http.get('http://a.example/x')).rejects.toBeInstanceOf(TimeoutError);
    expect(s.calls.length).toBe(3);
  });

  it('does not retry a 521 challenge or a 404', async () => {
    const s = scripted([{ status: 521 }, { status: 404 }]);
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: fast,
    });
    expect((await http.get('http://a.example/x')).status).toBe(521);
    expect((await http.get('http://a.example/y')).status).toBe(404);
    expect(s.calls.length).toBe(2);
  });

  it('waits Retry-After on 429 without spending a costed attempt', async () => {
    const s = scripted([
      { status: 429, headers: { 'retry-after': '0.05' } },
      { status: 429, headers: { 'retry-after': '0.05' } },
      { status: 429, headers: { 'retry-after': '0.05' } },
      { status: 200, body: 'after throttling' },
    ]);
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const response = await http.get('http://a.example/x');
    expect(response.body).toBe('after throttling');
    expect(s.calls.length).toBe(4);
    expect(s.calls[1].at - s.calls[0].at).toBeGreaterThanOrEqual(45);
  });

  it('holds off a host after a 403, longer for each 403 in a row, and forgets once it answers', async () => {
    const s = scripted([{ status: 403 }, { status: 403 }, { status: 200 }, { status: 200 }]);
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: fast,
    });
    // The 403 goes to the adapter (it knows a wall from a forbidden page); the host waits.
    expect((await http.get('http://a.example/1')).status).toBe(403);
    expect((await http.get('http://a.example/2')).status).toBe(403);
    expect((await http.get('http://a.example/3')).status).toBe(200);
    expect((await http.get('http://a.example/4')).status).toBe(200);
    const gaps = s.calls.slice(1).map((c, i) => c.at - s.calls[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(950);
    expect(gaps[1]).toBeGreaterThanOrEqual(1950);
    expect(gaps[2]).toBeLessThan(500);
  });

  it('passes a deadline to every request', async () => {
    let seen: number | undefined;
    const client: HttpClient = {
      async get(url, options) {
        seen = options?.timeoutMs;
        return { status: 200, url, headers: {}, body: '' };
      },
      setCookies() {},
      clearCookies() {},
    };
    await politeHttp(client, new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 250 }), {
      requestTimeoutMs: 1234,
      retry: ENGINE_TUNING.requestRetries,
    }).get('http://a.example/');
    expect(seen).toBe(1234);
  });

  it('declares a host down after consecutive failures: waiting and hanging requests get SiteDownError', async () => {
    const s = scripted([new NetworkError('ECONNREFUSED')]);
    const probe = scripted([new NetworkError('ECONNREFUSED')]);
    const outage = new OutageMonitor(probe.client, {
      failureThreshold: 3,
      firstProbeDelayMs: 10_000,
      maxProbeDelayMs: 30_000,
      firstContactTimeoutMs: 60_000,
    });
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 1, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 },
      outage,
    });
    const results = await Promise.allSettled([
      http.get('http://a.example/1'),
      http.get('http://a.example/2'),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(SiteDownError);
    }
    expect(outage.isDown('a.example')).toBe(true);
    expect(s.calls.length).toBe(3);
    // While down, new requests fail at once without touching the site.
    await expect(http.get('http://a.example/3')).rejects.toBeInstanceOf(SiteDownError);
    expect(s.calls.length).toBe(3);
    await outage.close();
  });

  it('the monitor probes with capped backoff, logs one line per probe and comes back by itself', async () => {
    const probe = scripted([
      new NetworkError('ECONNREFUSED'),
      new NetworkError('ECONNREFUSED'),
      { status: 503 },
      { status: 404 },
    ]);
    const lines: string[] = [];
    const log = (m: string) => lines.push(m);
    const ups: number[] = [];
    const outage = new OutageMonitor(probe.client, {
      failureThreshold: 2,
      firstProbeDelayMs: 20,
      maxProbeDelayMs: 40,
      firstContactTimeoutMs: 60_000,
      logger: { debug() {}, info: log, warn: log, error: log },
      onUp: (_host, ms) => ups.push(ms),
    });
    outage.recordFailure('h', 'http://h/x', new NetworkError('refused'));
    outage.recordSuccess('h');
    outage.recordFailure('h', 'http://h/x', new NetworkError('refused'));
    expect(outage.isDown('h')).toBe(false);
    outage.recordFailure('h', 'http://h/x', new NetworkError('refused'));
    expect(outage.isDown('h')).toBe(true);
    const signal = outage.downSignal('h');
    await outage.whenAllUp();
    expect(outage.isDown('h')).toBe(false);
    expect(signal.aborted).toBe(true);
    expect(outage.downSignal('h').aborted).toBe(false);
    expect(probe.calls.map((c) => c.url)).toEqual(['http://h/', 'http://h/', 'http://h/', 'http://h/']);
    expect(lines.filter((l) => /down for .*, next probe in 40 ms/.test(l)).length).toBe(3);
    expect(lines.filter((l) => /is back after/.test(l)).length).toBe(1);
    expect(ups.length).toBe(1);
    await outage.close();
  });

  it('an aborted caller gets AbortedError, not a retry', async () => {
    const s = scripted(['hang']);
    const http = politeHttp(s.client, new HostLimiter({ maxInFlightPerHost: 2, minDelayMs: 0 }), {
      requestTimeoutMs: 30_000,
      retry: fast,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(http.get('http://a.example/x', { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(s.calls.length).toBe(1);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
