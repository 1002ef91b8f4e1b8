import { describe, expect, it } from 'vitest';
import { BlockedError, NetworkError, NotFoundError, ThrottledError } from '../src/core/errors.js';
import type { RetryPolicy } from '../src/core/retry-policy.js';
import { createRetryTracker } from '../src/core/retry-tracker.js';

const policy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxThrottles: 2,
  random: () => 1,
};

describe('retry tracker', () => {
  it('spends one attempt per transient failure and gives up after maxAttempts', () => {
    const tracker = createRetryTracker(policy);
    expect(tracker.judge(new NetworkError('reset'))).toEqual({
      action: 'retry',
      delayMs: 100,
      costsAttempt: true,
    });
    expect(tracker.attempts).toBe(1);
    expect(tracker.judge(new NetworkError('reset'))).toEqual({
      action: 'retry',
      delayMs: 200,
      costsAttempt: true,
    });
    expect(tracker.attempts).toBe(2);
    const last = tracker.judge(new NetworkError('reset'));
    expect(last).toMatchObject({ action: 'final', outcome: 'failed' });
    expect(last.action === 'final' && last.reason).toMatch(/after 3 attempts/);
  });

  it('a wait for the rate limit costs no attempt; the streak is cleared by the next costed failure', () => {
    const tracker = createRetryTracker(policy);
    tracker.judge(new NetworkError('reset'));
    expect(tracker.judge(new ThrottledError('429', 50))).toEqual({
      action: 'retry',
      delayMs: 50,
      costsAttempt: false,
    });
    expect(tracker.judge(new BlockedError('wall', 'bot wall'))).toMatchObject({
      action: 'retry',
      costsAttempt: false,
    });
    expect(tracker.attempts).toBe(1);
    expect(tracker.throttles).toBe(2);
    tracker.judge(new NetworkError('reset'));
    expect(tracker.attempts).toBe(2);
    expect(tracker.throttles).toBe(0);
  });

  it('too many rate-limit waits in a row release the work instead of failing it', () => {
    const tracker = createRetryTracker(policy);
    tracker.judge(new ThrottledError('429'));
    tracker.judge(new ThrottledError('429'));
    expect(tracker.judge(new ThrottledError('429'))).toMatchObject({ action: 'release' });
    expect(tracker.attempts).toBe(0);
  });

  it('a final answer leaves the counters alone', () => {
    const tracker = createRetryTracker(policy);
    expect(tracker.judge(new NotFoundError('gone'))).toMatchObject({ action: 'final', outcome: 'notfound' });
    expect(tracker.attempts).toBe(0);
    expect(tracker.throttles).toBe(0);
  });
});
