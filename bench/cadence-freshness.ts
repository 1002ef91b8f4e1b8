/**
 * Freshness of a crawl over time, from the replica's truth (bench/refresh-cadence.ts): how long a
 * change of a user's data went unseen. A user's data is what the cadence rule compares (profile
 * counters, each article's counters, new articles; src/core/engine/result-changed.ts), or "gone"
 * while the account does not exist. After each crawl, the first moment the truth differs from
 * what that crawl saw starts the staleness clock; the next crawl stops it. Staleness is sampled
 * on a grid (every `stepMs` over the whole period) for every user: its age at each sample is 0 when
 * the stored data still equals the truth, else the time since that first unseen change.
 */
import type { UserTruth } from '../src/testing/replica/index.js';

export type TruthAt = (username: string, clockMs: number) => UserTruth | undefined;

const MINUTE = 60_000;

/** The fields a change is made of, as one comparable string. */
export function signature(truth: UserTruth | undefined): string {
  if (!truth) return 'gone';
  const p = truth.profile;
  const profile = [
    p.level,
    p.originalCount,
    p.articleCount,
    p.rank,
    p.fansCount,
    p.followCount,
    p.viewCount,
    p.likeCount,
    p.commentCount,
    p.favouriteCount,
    p.points,
  ].join(',');
  const articles = truth.articles.map(
    (a) => `${a.articleId}:${a.viewCount},${a.commentCount},${a.diggCount},${a.collectCount}`,
  );
  return `${profile}|${articles.join(';')}`;
}

export interface Freshness {
  /** Mean age of the oldest unseen change over all user samples (0 while up to date), in hours. */
  meanHours: number;
  p95Hours: number;
  maxHours: number;
  /** Share of user samples whose stored data differed from the truth. */
  staleShare: number;
}

/** A user's signature on the grid, computed once and shared by every crawl history compared. */
export class TruthGrid {
  private readonly memo = new Map<string, string[]>();

  constructor(
    readonly truthAt: TruthAt,
    readonly start: number,
    readonly end: number,
    readonly stepMs: number,
  ) {}

  get points(): number {
    return Math.floor((this.end - this.start) / this.stepMs) + 1;
  }

  signatures(username: string): string[] {
    let sigs = this.memo.get(username);
    if (!sigs) {
      sigs = [];
      for (let k = 0; k < this.points; k++) {
        sigs.push(signature(this.truthAt(username, this.start + k * this.stepMs)));
      }
      this.memo.set(username, sigs);
    }
    return sigs;
  }

  /** Days (of the period) in which the user's data changed: how lively the user is. */
  changeDays(username: string): number {
    const sigs = this.signatures(username);
    const perDay = Math.round(86_400_000 / this.stepMs);
    let days = 0;
    for (let k = perDay; k < sigs.length; k += perDay) if (sigs[k] !== sigs[k - perDay]) days++;
    return days;
  }

  /**
   * The first moment after `from` (to the minute) when the truth differs from `seen`, searched
   * up to `until`; undefined when it does not change by then.
   */
  firstChange(username: string, seen: string, from: number, until: number): number | undefined {
    const sigs = this.signatures(username);
    let k = Math.floor((from - this.start) / this.stepMs) + 1;
    while (k < sigs.length && this.start + k * this.stepMs <= until && sigs[k] === seen) k++;
    const at = this.start + k * this.stepMs;
    if (k >= sigs.length || at > until) return undefined;
    // Between the last sample that matched (or the crawl) and the first that did not: bisect.
    let lo = Math.max(from, at - this.stepMs);
    let hi = at;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (signature(this.truthAt(username, mid)) === seen) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}

/** Staleness samples of one user, given its crawl times (the first at or after the grid's start). */
export function userStaleness(grid: TruthGrid, username: string, crawls: readonly number[]): number[] {
  const ages: number[] = [];
  const sorted = [...crawls].sort((a, b) => a - b);
  let i = -1;
  let firstChange: number | undefined;
  for (let k = 0; k < grid.points; k++) {
    const t = grid.start + k * grid.stepMs;
    let moved = false;
    while (i + 1 < sorted.length && sorted[i + 1] <= t) {
      i++;
      moved = true;
    }
    if (i < 0) continue; // not crawled yet: nothing stored to be stale
    if (moved) {
      const seen = signature(grid.truthAt(username, sorted[i]));
      const next = sorted[i + 1] ?? grid.end;
      firstChange = grid.firstChange(username, seen, sorted[i], next);
    }
    ages.push(firstChange !== undefined && firstChange <= t ? t - firstChange : 0);
  }
  return ages;
}

export function summarize(ages: number[]): Freshness {
  const sorted = Float64Array.from(ages).sort();
  const hours = (ms: number) => ms / 3_600_000;
  const n = sorted.length;
  let sum = 0;
  let stale = 0;
  for (const a of sorted) {
    sum += a;
    if (a > 0) stale++;
  }
  return {
    meanHours: hours(sum / n),
    p95Hours: hours(sorted[Math.min(n - 1, Math.floor(n * 0.95))]),
    maxHours: hours(sorted[n - 1]),
    staleShare: stale / n,
  };
}
