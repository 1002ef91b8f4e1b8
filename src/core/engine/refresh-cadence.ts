/**
 * When a user is crawled again (profiles over time), as pure functions: docs/watching.md explains
 * the rule. Every done user gets the next interval from the previous one (shorter when its data
 * changed, longer when not), every notfound user a fixed slower one, and each due time is spread
 * by a jitter fixed per ID, so a fleet that added thousands of users at once does not refresh them
 * in one wave. Because the jitter is a fixed factor of the ID, the previous interval is read back
 * exactly from the due time and the crawl time, without a field of its own in the state.
 */

/** Refresh settings, resolved (the defaults live in the config schema's `refresh`). */
export interface RefreshSettings {
  /** Interval of a user's first refresh, and of every refresh when `adaptive` is off. */
  everyMs: number;
  /** Interval of a user judged not found (no adaptation: there is nothing to compare). */
  notfoundEveryMs: number;
  /** Shortest interval adaptation goes down to. */
  minMs: number;
  /** Longest interval adaptation goes up to. */
  maxMs: number;
  /** Spread of due times: each ID's interval is multiplied by a factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
  /** Halve the interval of a user whose data changed, double it for one that did not. */
  adaptive: boolean;
}

/** What the engine knows about a done user's previous crawl, for the cadence rule. */
export interface CadenceInput {
  /** The nominal interval that led to this crawl; undefined on a first crawl (or not a refresh). */
  previousMs: number | undefined;
  /** Whether the profile or the articles changed since the previous crawl; undefined on a first crawl. */
  changed: boolean | undefined;
}

/** The nominal interval until a done user's next refresh (before jitter). */
export function nextIntervalMs(settings: RefreshSettings, input: CadenceInput): number {
  const { everyMs, minMs, maxMs } = settings;
  if (!settings.adaptive || input.previousMs === undefined || input.changed === undefined) {
    return clamp(everyMs, minMs, maxMs);
  }
  const next = input.changed ? input.previousMs / 2 : input.previousMs * 2;
  return clamp(toSecond(next), minMs, maxMs);
}

/** Intervals are whole seconds, so the one read back from a rounded due time is exact. */
function toSecond(ms: number): number {
  return Math.round(ms / 1000) * 1000;
}

/**
 * The ID's fixed jitter factor in [1 - jitter, 1 + jitter]: FNV-1a of the ID, stable across runs,
 * then murmur3's final mix, without which IDs that differ in their last character (qq_123,
 * qq_124) would get nearly the same factor and come due together.
 */
export function jitterFactor(id: string, jitter: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  const unit = (hash >>> 0) / 0x1_0000_0000;
  return 1 + jitter * (2 * unit - 1);
}

/** The due time of the next refresh: the crawl time plus the jittered interval. */
export function dueAfter(id: string, crawledAt: number, intervalMs: number, jitter: number): number {
  return crawledAt + Math.round(intervalMs * jitterFactor(id, jitter));
}

/**
 * The nominal interval that led to this refresh, read back from its due time (the lease's
 * `enqueuedAt` on a refresh claim) and the previous crawl's time; undefined when it cannot be
 * known (not a refresh, no earlier crawl, or a due time before the crawl).
 */
export function previousIntervalMs(
  id: string,
  dueAt: number,
  previousCrawledAt: number | undefined,
  jitter: number,
): number | undefined {
  if (previousCrawledAt === undefined || dueAt <= previousCrawledAt) return undefined;
  return toSecond((dueAt - previousCrawledAt) / jitterFactor(id, jitter));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
