import { describe, expect, it } from 'vitest';
import {
  type Answer,
  CUT_FACTOR,
  type RateChange,
  RateController,
  SETTLE_SHARE,
  WALL_ECHO_MS,
} from '../src/core/rate-controller.js';

/** An explicit clock and a client that sends at exactly the controller's rate, answered at once. */
function harness(settings = { startRate: 1, minRate: 0.15, maxRate: 4 }) {
  let t = 1_000_000;
  const controller = new RateController(settings, () => t);
  const changes: RateChange[] = [];
  const sent: number[] = [];
  /** Send for `ms` at the current rate (or `sendRate` when the caller has less work); `answer` per request. */
  function run(
    ms: number,
    answer: (at: number) => Answer = () => ({ kind: 'good', latencyMs: 30 }),
    sendRate?: number,
  ) {
    const end = t + ms;
    while (t < end) {
      const rate = Math.min(controller.rate, sendRate ?? Number.POSITIVE_INFINITY);
      t += 1000 / rate;
      controller.started();
      sent.push(t);
      const change = controller.answered(answer(t), t);
      if (change) changes.push(change);
    }
  }
  return {
    controller,
    changes,
    /** Requests sent in the last second, as a bot wall counts them. */
    lastSecond: () => sent.filter((at) => at > t - 1000).length,
    run,
    advance: (ms: number) => {
      t += ms;
    },
    now: () => t,
  };
}

/** A site that walls (403) a client sending more than `wall` requests within one second. */
function wallAt(h: ReturnType<typeof harness>, wall: number): () => Answer {
  return () =>
    h.lastSecond() > wall ? { kind: 'wall', reason: 'HTTP 403 wall' } : { kind: 'good', latencyMs: 30 };
}

describe('RateController', () => {
  it('starts at the start rate, raises while answers are good and stops at the ceiling, steady', () => {
    const h = harness();
    expect(h.controller.rate).toBe(1);
    h.run(30_000);
    expect(h.controller.rate).toBe(4);
    expect(h.controller.regime).toBe('steady');
    // one regime change to steady, however many answers came after it
    expect(h.changes.filter((c) => c.regimeChanged).map((c) => c.regime)).toEqual(['steady']);
    expect(h.changes.every((c) => c.to <= 4 && c.to >= c.from)).toBe(true);
  });

  it('does not raise a rate the crawl does not use (no evidence that the site takes more)', () => {
    const h = harness({ startRate: 2, minRate: 0.15, maxRate: 50 });
    h.run(30_000, undefined, 1);
    expect(h.controller.rate).toBe(2);
  });

  it('cuts multiplicatively at a wall, once per burst of answers to requests sent before the cut', () => {
    const h = harness({ startRate: 10, minRate: 0.15, maxRate: 10 });
    h.run(3000);
    const sent = Math.min(h.controller.rate, h.controller.sentRate());
    const startedBefore = h.now() - 50;
    const first = h.controller.answered({ kind: 'wall', reason: 'HTTP 403 wall' }, startedBefore);
    expect(first?.regime).toBe('throttled');
    expect(first?.to).toBeCloseTo(sent * CUT_FACTOR, 5);
    // the rest of the burst: requests already in flight when the cut was made
    for (let i = 0; i < 5; i++)
      expect(h.controller.answered({ kind: 'wall', reason: 'HTTP 403 wall' }, startedBefore)).toBeUndefined();
    expect(h.controller.rate).toBeCloseTo(sent * CUT_FACTOR, 5);
  });

  it('takes the pushback point from the busiest second, not the average (a queue drains at full rate after a hold)', () => {
    const h = harness({ startRate: 30, minRate: 1, maxRate: 30 });
    h.run(1000);
    h.advance(1500); // a Retry-After hold: nothing sent
    h.run(1000); // the queued requests leave at the full rate
    const average = h.controller.sentRate();
    h.controller.answered({ kind: 'wall', reason: 'HTTP 403 wall' }, h.now());
    expect(average).toBeLessThan(20);
    expect(h.controller.pushbackRate).toBeGreaterThanOrEqual(29);
  });

  it('waits out an isolated 429 without a cut, and cuts when 429s recur', () => {
    const h = harness({ startRate: 4, minRate: 0.15, maxRate: 4 });
    let n = 0;
    // one 429 in 100 answers: a site's occasional refusal, honoured by its Retry-After alone
    h.run(120_000, () =>
      ++n % 100 === 0 ? { kind: 'pushback', reason: 'HTTP 429' } : { kind: 'good', latencyMs: 30 },
    );
    expect(h.changes.some((c) => c.to < c.from)).toBe(false);
    // one in four: the site's limit
    h.run(5000, () =>
      ++n % 4 === 0 ? { kind: 'pushback', reason: 'HTTP 429' } : { kind: 'good', latencyMs: 30 },
    );
    const cuts = h.changes.filter((c) => c.to < c.from);
    expect(cuts.length).toBeGreaterThanOrEqual(1);
    expect(cuts[0].reason).toBe('HTTP 429');
  });

  it('settles below the rate where the site pushed back and stays there (no second wall)', () => {
    const h = harness({ startRate: 1, minRate: 0.15, maxRate: 100 });
    const wall = 30;
    h.run(120_000, wallAt(h, wall));
    const cuts = h.changes.filter((c) => c.to < c.from);
    expect(cuts).toHaveLength(1);
    expect(h.controller.regime).toBe('steady');
    // within 20 % under the wall, and under it
    expect(h.controller.rate).toBeLessThan(wall);
    expect(h.controller.rate).toBeGreaterThanOrEqual(0.8 * wall);
    expect(h.controller.rate).toBeCloseTo(SETTLE_SHARE * h.controller.pushbackRate!, 5);
  });

  it('after ten quiet minutes trusts the pushback point 10 % higher, so a relaxed site is found again', () => {
    const h = harness({ startRate: 1, minRate: 0.15, maxRate: 100 });
    h.run(60_000, wallAt(h, 20));
    const settled = h.controller.rate;
    h.run(11 * 60_000, wallAt(h, 40));
    expect(h.controller.rate).toBeGreaterThan(settled * 1.05);
    // the new level is one line, not one per step
    const lines = h.changes.filter((c) => c.regimeChanged && c.regime === 'steady' && c.to > settled);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
  });

  it('takes the walls of one cooldown as one trip, not a cascade down to the floor', () => {
    const h = harness({ startRate: 20, minRate: 0.15, maxRate: 60 });
    const wall: Answer = { kind: 'wall', reason: 'HTTP 403 wall' };
    // a wall over 30 requests a second that, once tripped, answers everything for 3 s
    let blockedUntil = 0;
    h.run(120_000, (at) => {
      if (at < blockedUntil) return wall;
      if (h.lastSecond() <= 30) return { kind: 'good', latencyMs: 30 };
      blockedUntil = at + 3000;
      return wall;
    });
    const cuts = h.changes.filter((c) => c.to < c.from);
    expect(cuts.map((c) => c.reason)).toEqual(['HTTP 403 wall']);
    expect(h.controller.rate).toBeLessThan(30);
    expect(h.controller.rate).toBeGreaterThanOrEqual(0.8 * 30);
  });

  it('cuts again at a wall met after the echo of the last one (a new trip)', () => {
    const h = harness({ startRate: 8, minRate: 0.15, maxRate: 8 });
    const wall: Answer = { kind: 'wall', reason: 'HTTP 403 wall' };
    h.run(3000);
    expect(h.controller.answered(wall, h.now())?.to).toBeLessThan(8);
    h.run(WALL_ECHO_MS - 2000);
    expect(h.controller.answered(wall, h.now())).toBeUndefined();
    h.run(2500);
    expect(h.controller.answered(wall, h.now())?.regime).toBe('throttled');
  });

  it('never goes below the floor however often the site pushes back', () => {
    const h = harness({ startRate: 4, minRate: 0.5, maxRate: 4 });
    h.run(120_000, () => ({ kind: 'wall', reason: 'HTTP 403 wall' }));
    expect(h.controller.rate).toBe(0.5);
    expect(h.changes.length).toBeGreaterThan(2);
  });

  it('takes isolated timeouts and resets as noise, and a pile of them as strain', () => {
    const h = harness({ startRate: 4, minRate: 0.15, maxRate: 4 });
    let n = 0;
    // one timeout in 25 answers: what a healthy site gives
    h.run(60_000, () =>
      ++n % 25 === 0 ? { kind: 'strain', reason: 'timeouts' } : { kind: 'good', latencyMs: 30 },
    );
    expect(h.changes.some((c) => c.regime === 'throttled')).toBe(false);
    expect(h.controller.rate).toBe(4);
    // every other answer times out: the site struggles
    h.run(10_000, () =>
      ++n % 2 === 0 ? { kind: 'strain', reason: 'timeouts' } : { kind: 'good', latencyMs: 30 },
    );
    expect(h.changes.some((c) => c.regime === 'throttled' && c.reason === 'timeouts')).toBe(true);
    expect(h.controller.rate).toBeLessThan(4);
  });

  it('cuts when latency jumps against its baseline, not for a single slow answer', () => {
    const h = harness({ startRate: 4, minRate: 0.15, maxRate: 4 });
    let n = 0;
    h.run(30_000, () => ({ kind: 'good', latencyMs: ++n % 15 === 0 ? 3000 : 40 }));
    expect(h.changes.some((c) => c.regime === 'throttled')).toBe(false);
    h.run(10_000, () => ({ kind: 'good', latencyMs: 400 }));
    const cut = h.changes.find((c) => c.regime === 'throttled');
    expect(cut?.reason).toBe('latency');
  });

  it('ignores neutral answers (5xx, own aborts) both ways', () => {
    const h = harness({ startRate: 2, minRate: 0.15, maxRate: 8 });
    h.run(30_000, () => ({ kind: 'neutral' }));
    expect(h.controller.rate).toBe(2);
    expect(h.changes).toHaveLength(0);
  });
});
