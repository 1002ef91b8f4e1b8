import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressMeter } from '../src/core/engine/progress-meter.js';
import type { ProgressEvent } from '../src/core/events.js';

function setup(pending: () => Promise<number> = async () => 5) {
  const clock = { t: 1_000_000 };
  const requests = { n: 10 };
  const events: ProgressEvent[] = [];
  const meter = createProgressMeter({
    requestCount: () => requests.n,
    downHosts: () => ['down.example'],
    inFlight: () => 3,
    countPending: pending,
    emit: (e) => events.push(e),
    now: () => clock.t,
  });
  return { meter, clock, requests, events };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('progress meter', () => {
  it('counts outcomes and reports users per minute over the last minute only', () => {
    const { meter, clock, events } = setup();
    clock.t += 30_000;
    meter.finished('done');
    meter.finished('done');
    meter.finished('failed');
    meter.released('ABORTED');
    meter.report();
    expect(events.at(-1)).toMatchObject({ done: 2, failed: 1, notfound: 0, released: 1, inFlight: 3 });
    // 3 users in the 30 s since the start: 6 per minute.
    expect(events.at(-1)?.usersPerMin).toBe(6);
    expect(meter.recentlyFinished()).toBe(3);
    clock.t += 61_000;
    expect(meter.recentlyFinished()).toBe(0);
    meter.report();
    expect(events.at(-1)?.usersPerMin).toBe(0);
    expect(events.at(-1)?.down).toEqual(['down.example']);
  });

  it('reports requests per second from the request counter', () => {
    const { meter, clock, requests, events } = setup();
    clock.t += 2000;
    requests.n += 50;
    meter.report();
    expect(events.at(-1)?.requestsPerSec).toBe(25);
  });

  it('keeps -1 as pending until the store answers, and the last answer when it fails', async () => {
    let fail = false;
    const { meter, events } = setup(async () => {
      if (fail) throw new Error('store down');
      return 42;
    });
    meter.report();
    expect(events.at(-1)?.pending).toBe(-1);
    await meter.refreshPending(1000);
    fail = true;
    await meter.refreshPending(1000);
    meter.report();
    expect(events.at(-1)?.pending).toBe(42);
  });

  it('sums the run up: outcomes (failed and released by code), requests since the start, duration, users per minute', () => {
    const { meter, clock, requests } = setup();
    clock.t += 120_000;
    requests.n += 30;
    for (let i = 0; i < 4; i++) meter.finished('done');
    meter.finished('notfound');
    meter.finished('failed', 'PARSE');
    meter.finished('failed', 'PARSE');
    meter.finished('failed', 'TIMEOUT');
    meter.released('ABORTED');
    expect(meter.summary('drained')).toEqual({
      done: 4,
      notfound: 1,
      failed: 3,
      released: 1,
      failedByCode: { PARSE: 2, TIMEOUT: 1 },
      releasedByCode: { ABORTED: 1 },
      requests: 30,
      durationMs: 120_000,
      usersPerMinute: 4,
      stoppedBy: 'drained',
    });
  });

  it('on its timer refreshes pending and reports each interval until stopped', async () => {
    vi.useFakeTimers();
    const { meter, events } = setup(async () => 9);
    meter.start(1000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(events.length).toBe(3);
    expect(events.at(-1)?.pending).toBe(9);
    meter.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(events.length).toBe(3);
  });
});
