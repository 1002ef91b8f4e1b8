/**
 * The bookkeeping around `decide()` for one piece of work retried in a loop (one request in
 * `politeHttp`, one user in the engine): which failures cost an attempt, how many free waits for
 * the site's rate limit came in a row. Both loops used to count this by hand.
 */
import { type Decision, decide, isSiteRateLimit, type RetryPolicy } from './retry-policy.js';

export interface RetryTracker {
  /**
   * Judge one failure. A retry advances the counters: a costed retry spends an attempt and
   * clears the throttle streak, a wait for the site's rate limit (429, bot wall) only grows it.
   */
  judge(error: unknown): Decision;
  /** Costed attempts spent so far. */
  readonly attempts: number;
  /** Free waits granted in a row since the last costed attempt. */
  readonly throttles: number;
}

export function createRetryTracker(policy: RetryPolicy): RetryTracker {
  let attempts = 0;
  let throttles = 0;
  return {
    judge(error) {
      const costed = isSiteRateLimit(error) ? attempts : attempts + 1;
      const decision = decide(error, costed, policy, throttles);
      if (decision.action === 'retry') {
        if (decision.costsAttempt) {
          attempts = costed;
          throttles = 0;
        } else throttles++;
      }
      return decision;
    },
    get attempts() {
      return attempts;
    },
    get throttles() {
      return throttles;
    },
  };
}
