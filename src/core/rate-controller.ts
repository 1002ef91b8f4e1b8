/**
 * The adaptive request rate of one host, as pure logic over an explicit clock (no timers, no
 * I/O): `politeHttp` tells it when requests start and how they were answered; it answers with the
 * new rate when the rate should move. Like TCP's congestion control it raises the rate while the
 * site answers well and cuts it multiplicatively when the site pushes back, but it also
 * remembers the rate at which the site last pushed back and settles below it instead of
 * probing into the wall again and again (a bot wall punishes every probe with a cooldown).
 */

/** Resolved settings (the config schema's `politeness` holds the defaults). */
export interface RateControlSettings {
  /** Request starts per second to a host at first. */
  startRate: number;
  /** Never slower than this, however often the site pushes back. */
  minRate: number;
  /** Never faster than this (Infinity: no ceiling). */
  maxRate: number;
  /**
   * The rate is a fleet's (a shared budget): this worker's own starts are only its share, so the
   * rate counts as used when its requests waited for the budget, and a cut halves the fleet's rate.
   */
  shared?: boolean;
}

/**
 * How one exchange went, as the controller sees it. `wall`: a bot wall (a first 403, a 444):
 * cut at once, a wall is never noise. `pushback`: a 429, whose Retry-After is honoured anyway
 * (the limiter holds the host); a cut when they recur, since an isolated 429 that a site gives
 * now and then would otherwise ratchet the rate down to the floor. `strain`: a timeout, a reset
 * or a 521 check, which a healthy site also gives now and then: a cut when they pile up.
 * `neutral`: says nothing about our pace (5xx, our own abort, a wall we are already serving out).
 */
export type Answer =
  | { kind: 'good'; latencyMs: number }
  | { kind: 'wall'; reason: string }
  | { kind: 'pushback'; reason: string }
  | { kind: 'strain'; reason: string }
  | { kind: 'neutral' };

export type Regime = 'probing' | 'throttled' | 'steady';

export interface RateChange {
  from: number;
  to: number;
  regime: Regime;
  /** Whether the regime differs from the one before (worth one log line). */
  regimeChanged: boolean;
  /** Why: the pushback's reason, `ceiling` or `below pushback`. */
  reason: string;
}

/** A cut keeps this share of the rate actually sent. */
export const CUT_FACTOR = 0.5;
/** Without a known pushback point the rate grows by this factor per interval. */
const PROBE_FACTOR = 1.25;
/** Settle this share below the rate at which the site last pushed back. */
export const SETTLE_SHARE = 0.9;
/** Below the known pushback point the rate climbs by this share of it per interval. */
const APPROACH_STEP = 0.1;
/**
 * A wall answers every request of its cooldown, so requests that leave when our hold ends may
 * still meet it: within this long of a wall's cut, another wall is that one, not a new trip.
 * Without it one trip cut the rate again and again, each time from the little a hold lets
 * through, down to the floor, and it then took hours to climb back.
 */
export const WALL_ECHO_MS = 10_000;
/** After this long without pushback, the remembered point is trusted 10 % higher (the site may have relaxed). */
const MEMORY_MS = 10 * 60_000;
/** Decisions are taken at most once per interval, of at least this long and 4 gaps. */
const INTERVAL_MS = 1000;
/** The span over which `peakRate` counts starts (bot walls count bursts over about a second). */
const PEAK_WINDOW_MS = 1000;
const INTERVAL_GAPS = 4;
/** Raise only when the budget was used: starts in the interval >= this share of what the rate allowed. */
const UTILISATION = 0.8;
const GOOD_PER_RAISE = 3;
/** Among the last ANSWER_WINDOW answers since the last cut: this many 429s, or strain answers, make a cut. */
const ANSWER_WINDOW = 40;
const PUSHBACKS_TO_CUT = 4;
const STRAINS_TO_CUT = 8;
/** Latency jump: the median of the last LATENCY_WINDOW good answers above JUMP_FACTOR x the baseline and JUMP_MIN_MS more. */
const LATENCY_WINDOW = 20;
const JUMP_FACTOR = 2;
const JUMP_MIN_MS = 100;
const BASELINE_ALPHA = 0.1;

export class RateController {
  private current: number;
  private regimeNow: Regime = 'probing';
  /** The rate actually sent when the site last pushed back, and when. */
  private pushedAt?: { rate: number; at: number };
  private lastCutAt = Number.NEGATIVE_INFINITY;
  private lastWallCutAt = Number.NEGATIVE_INFINITY;
  private intervalStart: number;
  private startsInInterval = 0;
  private goodInInterval = 0;
  /** Starts in this interval that left others of this worker waiting: the budget, not demand, bounded them. */
  private backloggedInInterval = 0;
  /** Start times of recent requests, to know the rate actually sent. */
  private readonly starts: number[] = [];
  /** The kinds of the recent answers since the last cut. */
  private readonly recent: Answer['kind'][] = [];
  private readonly latencies: number[] = [];
  private baselineMs?: number;

  constructor(
    private readonly settings: RateControlSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.current = clamp(settings.startRate, settings.minRate, settings.maxRate);
    this.intervalStart = now();
  }

  get rate(): number {
    return this.current;
  }

  get regime(): Regime {
    return this.regimeNow;
  }

  /** The rate at which the site last pushed back (undefined before it did). */
  get pushbackRate(): number | undefined {
    return this.pushedAt?.rate;
  }

  /** A request to the host starts now; `backlogged`: others of this worker still wait for the budget. */
  started(backlogged = false): void {
    const at = this.now();
    this.starts.push(at);
    this.startsInInterval++;
    if (backlogged) this.backloggedInInterval++;
    const keep = at - this.windowMs();
    while (this.starts.length > 0 && this.starts[0] < keep) this.starts.shift();
  }

  /** The rate actually sent over the last window (starts per second). */
  sentRate(): number {
    const at = this.now();
    const windowMs = this.windowMs();
    const n = this.starts.filter((t) => t >= at - windowMs).length;
    return (n * 1000) / windowMs;
  }

  /**
   * The fastest the crawl went in any one second of the last window: after a hold, the queued
   * requests leave at the full rate, and a bot wall counts that second, not the average.
   */
  peakRate(): number {
    const at = this.now();
    const recent = this.starts.filter((t) => t >= at - this.windowMs());
    let most = 0;
    for (let first = 0, last = 0; last < recent.length; last++) {
      while (recent[last] - recent[first] >= PEAK_WINDOW_MS) first++;
      most = Math.max(most, last - first + 1);
    }
    return Math.max(this.sentRate(), (most * 1000) / PEAK_WINDOW_MS);
  }

  /** Another worker of the fleet moved the shared rate: go on from there. */
  adopt(rate: number): void {
    if (rate > 0) this.current = clamp(rate, this.settings.minRate, this.settings.maxRate);
  }

  /**
   * An answer to a request started at `startedAt`. Answers to requests started before the last
   * cut say nothing about the new rate: one burst of pushback is one cut.
   */
  answered(answer: Answer, startedAt: number): RateChange | undefined {
    if (answer.kind === 'neutral') return undefined;
    if (startedAt < this.lastCutAt) return undefined;
    if (answer.kind === 'wall') {
      if (this.now() - this.lastWallCutAt < WALL_ECHO_MS) return undefined;
      this.lastWallCutAt = this.now();
      return this.cut(answer.reason);
    }
    this.recent.push(answer.kind);
    if (this.recent.length > ANSWER_WINDOW) this.recent.shift();
    if (answer.kind !== 'good') {
      const alike = this.recent.filter((kind) => kind === answer.kind).length;
      const needed = answer.kind === 'pushback' ? PUSHBACKS_TO_CUT : STRAINS_TO_CUT;
      return alike >= needed ? this.cut(answer.reason) : undefined;
    }
    this.goodInInterval++;
    if (this.latencyJumped(answer.latencyMs)) return this.cut('latency');
    return this.maybeRaise();
  }

  private windowMs(): number {
    const gap = Number.isFinite(this.current) ? 1000 / this.current : 0;
    return Math.max(2 * INTERVAL_MS, INTERVAL_GAPS * gap);
  }

  private latencyJumped(latencyMs: number): boolean {
    this.latencies.push(latencyMs);
    if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
    if (this.latencies.length < LATENCY_WINDOW) return false;
    const median = [...this.latencies].sort((a, b) => a - b)[LATENCY_WINDOW >> 1];
    if (this.baselineMs === undefined) {
      this.baselineMs = median;
      return false;
    }
    if (median > this.baselineMs * JUMP_FACTOR && median > this.baselineMs + JUMP_MIN_MS) return true;
    // The baseline follows slowly, and only while latency is normal: a slow site must not become the norm.
    this.baselineMs += BASELINE_ALPHA * (median - this.baselineMs);
    return false;
  }

  private cut(reason: string): RateChange {
    const at = this.now();
    // A fleet's rate is spent by all its workers: this one's peak is only its share.
    const sent = this.settings.shared ? this.current : Math.min(this.current, this.peakRate());
    // The point to stay under is what we actually sent at the most: a rate never used is no evidence.
    this.pushedAt = { rate: Math.max(sent, this.settings.minRate), at };
    this.lastCutAt = at;
    this.recent.length = 0;
    this.latencies.length = 0;
    this.resetInterval(at);
    const to = clamp(sent * CUT_FACTOR, this.settings.minRate, this.settings.maxRate);
    return this.move(to, 'throttled', reason);
  }

  private maybeRaise(): RateChange | undefined {
    const at = this.now();
    const gap = Number.isFinite(this.current) ? 1000 / this.current : 0;
    const intervalMs = Math.max(INTERVAL_MS, INTERVAL_GAPS * gap);
    const elapsed = at - this.intervalStart;
    if (elapsed < intervalMs) return undefined;
    // A worker's share of a fleet's rate brings fewer answers: wait until there are enough to judge.
    if (this.settings.shared && this.goodInInterval < GOOD_PER_RAISE) return undefined;
    const used = this.settings.shared
      ? this.backloggedInInterval * 2 >= this.startsInInterval && this.startsInInterval > 0
      : this.startsInInterval >= UTILISATION * ((this.current * elapsed) / 1000);
    const good = this.goodInInterval >= GOOD_PER_RAISE;
    this.resetInterval(at);
    if (!used || !good || !Number.isFinite(this.current)) return undefined;
    const ceiling = this.ceiling(at);
    if (this.current >= ceiling.rate) {
      if (this.regimeNow === 'steady') return undefined;
      return this.move(this.current, 'steady', ceiling.reason);
    }
    const pushed = this.pushedAt?.rate;
    const next = pushed === undefined ? this.current * PROBE_FACTOR : this.current + APPROACH_STEP * pushed;
    const to = Math.min(next, ceiling.rate);
    const regime = to >= ceiling.rate ? 'steady' : this.regimeNow === 'steady' ? 'probing' : this.regimeNow;
    return this.move(to, regime, to >= ceiling.rate ? ceiling.reason : 'answers good');
  }

  /** Where raising stops: the configured ceiling, or a little under the last pushback. */
  private ceiling(at: number): { rate: number; reason: string } {
    const { maxRate } = this.settings;
    if (!this.pushedAt) return { rate: maxRate, reason: 'ceiling' };
    // A site may relax: every MEMORY_MS without pushback the remembered point moves up 10 %.
    const periods = Math.floor((at - this.pushedAt.at) / MEMORY_MS);
    const below = SETTLE_SHARE * this.pushedAt.rate * 1.1 ** periods;
    return below < maxRate ? { rate: below, reason: 'below pushback' } : { rate: maxRate, reason: 'ceiling' };
  }

  private resetInterval(at: number): void {
    this.intervalStart = at;
    this.startsInInterval = 0;
    this.goodInInterval = 0;
    this.backloggedInInterval = 0;
  }

  private move(to: number, regime: Regime, reason: string): RateChange {
    // A new steady level is news too (at most once per MEMORY_MS); the climb to it is not.
    const regimeChanged = regime !== this.regimeNow || (regime === 'steady' && to !== this.current);
    const change = { from: this.current, to, regime, regimeChanged, reason };
    this.current = to;
    this.regimeNow = regime;
    return change;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
