/**
 * The one place that turns an error into a decision. Both levels use it: the polite HTTP
 * wrapper (one request) and the engine (one user). Adapters only throw the right error class.
 */
import {
  AbortedError,
  BlockedError,
  ConfigError,
  CrawlError,
  DriverCrashError,
  describeError,
  InvalidInputError,
  MissingDependencyError,
  NetworkError,
  NotFoundError,
  ParseError,
  SiteDownError,
  StoreError,
  ThrottledError,
  TimeoutError,
} from './errors.js';

export interface RetryPolicy {
  /** Attempts that cost (the first one included) before a user or request is given up. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest single wait honoured for a Retry-After; longer asks are cut to this. Default 60 s. */
  maxThrottleWaitMs?: number;
  /** Free (uncosted) waits for a 429 or a bot wall in a row before the work is released to pending. Default 10. */
  maxThrottles?: number;
  /** Attempts spent on a block (a challenge not passed) before failing. Default min(3, maxAttempts). */
  maxBlockedAttempts?: number;
  /** Source of randomness for the jitter; tests pass a fixed one. */
  random?: () => number;
}

export type Decision =
  | { action: 'retry'; delayMs: number; costsAttempt: boolean }
  | { action: 'final'; outcome: 'notfound' | 'failed'; reason: string }
  | { action: 'release'; reason: string };

/** Used when a policy gives no `maxThrottleWaitMs` (the config schema has no key for it). */
export const DEFAULT_MAX_THROTTLE_WAIT_MS = 60_000;

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxDelayMs, exp);
  const random = policy.random ?? Math.random;
  return Math.round(random() * ceiling);
}

/**
 * The site limiting our rate: a 429, or a bot wall (403). Not the user's fault, so waiting for
 * it costs no attempt, and a user that meets it too often goes back to pending, never to failed.
 */
export function isSiteRateLimit(error: unknown): error is ThrottledError | BlockedError {
  return error instanceof ThrottledError || (error instanceof BlockedError && error.kind === 'wall');
}

/**
 * @param error what went wrong
 * @param attempt costed attempts made so far, the failed one included (1 after the first failure)
 * @param policy limits and delays
 * @param throttles uncosted throttle waits already granted in a row (only read for ThrottledError)
 */
export function decide(error: unknown, attempt: number, policy: RetryPolicy, throttles = 0): Decision {
  if (error instanceof NotFoundError) {
    return { action: 'final', outcome: 'notfound', reason: describeError(error) };
  }
  if (error instanceof InvalidInputError) {
    return { action: 'final', outcome: 'failed', reason: `invalid input: ${describeError(error)}` };
  }
  if (error instanceof SiteDownError || error instanceof AbortedError) {
    return { action: 'release', reason: describeError(error) };
  }
  if (error instanceof StoreError) {
    // The store, not the user, is in trouble: the ID must stay claimable.
    return { action: 'release', reason: `store error: ${describeError(error)}` };
  }
  if (error instanceof ConfigError || error instanceof MissingDependencyError) {
    return { action: 'final', outcome: 'failed', reason: describeError(error) };
  }
  if (isSiteRateLimit(error)) {
    const maxThrottles = policy.maxThrottles ?? 10;
    if (throttles >= maxThrottles) {
      return {
        action: 'release',
        reason: `throttled ${throttles} times in a row; back to pending (${describeError(error)})`,
      };
    }
    const cap = policy.maxThrottleWaitMs ?? DEFAULT_MAX_THROTTLE_WAIT_MS;
    const asked = error instanceof ThrottledError ? error.retryAfterMs : undefined;
    const delayMs =
      asked !== undefined && Number.isFinite(asked) && asked >= 0
        ? Math.min(asked, cap)
        : Math.min(cap, backoffDelay(throttles + 1, policy) + policy.baseDelayMs);
    return { action: 'retry', delayMs, costsAttempt: false };
  }
  if (error instanceof BlockedError) {
    const limit = Math.min(policy.maxBlockedAttempts ?? 3, policy.maxAttempts);
    if (attempt >= limit) {
      const what = error.kind === 'challenge' ? 'a script challenge' : 'a block';
      const status = error.status ? ` (HTTP ${error.status})` : '';
      return {
        action: 'final',
        outcome: 'failed',
        reason: `blocked by ${what}${status} after ${attempt} attempts: ${describeError(error)}`,
      };
    }
    return { action: 'retry', delayMs: backoffDelay(attempt, policy), costsAttempt: true };
  }
  const transient =
    error instanceof TimeoutError ||
    error instanceof NetworkError ||
    error instanceof DriverCrashError ||
    error instanceof ParseError ||
    !(error instanceof CrawlError);
  if (transient && attempt < policy.maxAttempts) {
    return { action: 'retry', delayMs: backoffDelay(attempt, policy), costsAttempt: true };
  }
  const code = error instanceof CrawlError ? error.code.toLowerCase() : 'error';
  return {
    action: 'final',
    outcome: 'failed',
    reason: `${code} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${describeError(error)}`,
  };
}
