import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  BlockedError,
  DriverCrashError,
  InvalidInputError,
  MissingDependencyError,
  NetworkError,
  NotFoundError,
  ParseError,
  SiteDownError,
  StoreError,
  ThrottledError,
  TimeoutError,
} from '../src/core/errors.js';
import { backoffDelay, decide, type RetryPolicy } from '../src/core/retry-policy.js';

const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, random: () => 1 };

describe('decide()', () => {
  it('NotFoundError is final notfound at once', () => {
    expect(decide(new NotFoundError('gone'), 1, policy)).toMatchObject({
      action: 'final',
      outcome: 'notfound',
    });
  });

  it('InvalidInputError is final failed and never retried', () => {
    const d = decide(new InvalidInputError('bad id'), 1, policy);
    expect(d).toMatchObject({ action: 'final', outcome: 'failed' });
    if (d.action === 'final') expect(d.reason).toMatch(/invalid input: bad id/);
  });

  it.each([
    ['timeout', new TimeoutError('slow')],
    ['network', new NetworkError('reset')],
    ['driver crash', new DriverCrashError('died')],
    ['parse', new ParseError('html')],
    ['plain Error', new Error('bug')],
  ])('%s is retried with cost until maxAttempts, then failed', (_name, error) => {
    expect(decide(error, 1, policy)).toMatchObject({ action: 'retry', costsAttempt: true });
    expect(decide(error, 2, policy)).toMatchObject({ action: 'retry', costsAttempt: true });
    const last = decide(error, 3, policy);
    expect(last).toMatchObject({ action: 'final', outcome: 'failed' });
    if (last.action === 'final') expect(last.reason).toMatch(/after 3 attempts/);
  });

  it('backoff is exponential, capped, with full jitter', () => {
    expect(backoffDelay(1, policy)).toBe(1000);
    expect(backoffDelay(2, policy)).toBe(2000);
    expect(backoffDelay(3, policy)).toBe(4000);
    expect(backoffDelay(10, policy)).toBe(8000);
    expect(backoffDelay(3, { ...policy, random: () => 0.25 })).toBe(1000);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
    const d = decide(new NetworkError('x'), 2, { ...policy, random: () => 0.5 });
    expect(d).toEqual({ action: 'retry', delayMs: 1000, costsAttempt: true });
  });

  it('ThrottledError waits Retry-After without cost, capped, and releases after too many throttles', () => {
    expect(decide(new ThrottledError('429', 5000), 3, policy)).toEqual({
      action: 'retry',
      delayMs: 5000,
      costsAttempt: false,
    });
    expect(
      decide(new ThrottledError('429', 3_600_000), 0, { ...policy, maxThrottleWaitMs: 60_000 }),
    ).toMatchObject({
      delayMs: 60_000,
    });
    const noHeader = decide(new ThrottledError('429'), 0, policy);
    expect(noHeader).toMatchObject({ action: 'retry', costsAttempt: false });
    if (noHeader.action === 'retry') expect(noHeader.delayMs).toBeGreaterThanOrEqual(1000);
    expect(decide(new ThrottledError('429', 10), 0, { ...policy, maxThrottles: 2 }, 2)).toMatchObject({
      action: 'release',
    });
  });

  it('BlockedError is retried a few times, then failed with a clear reason', () => {
    const blocked = new BlockedError('challenge', 'security check', { status: 521 });
    expect(decide(blocked, 1, { ...policy, maxAttempts: 10 })).toMatchObject({
      action: 'retry',
      costsAttempt: true,
    });
    expect(decide(blocked, 2, { ...policy, maxAttempts: 10 })).toMatchObject({ action: 'retry' });
    const final = decide(blocked, 3, { ...policy, maxAttempts: 10 });
    expect(final).toMatchObject({ action: 'final', outcome: 'failed' });
    if (final.action === 'final')
      expect(final.reason).toMatch(/blocked by a script challenge \(HTTP 521\) after 3 attempts/);
  });

  it('a bot wall (403) waits without cost and sends the user back to pending, never to failed', () => {
    const wall = new BlockedError('wall', 'HTTP 403', { status: 403 });
    const first = decide(wall, 0, { ...policy, maxThrottles: 3 }, 0);
    expect(first).toMatchObject({ action: 'retry', costsAttempt: false });
    if (first.action === 'retry') expect(first.delayMs).toBeGreaterThanOrEqual(policy.baseDelayMs);
    expect(decide(wall, 0, { ...policy, maxThrottles: 3 }, 2)).toMatchObject({ action: 'retry' });
    const last = decide(wall, 0, { ...policy, maxThrottles: 3 }, 3);
    expect(last).toMatchObject({ action: 'release' });
    if (last.action === 'release') expect(last.reason).toMatch(/throttled 3 times in a row.*403/);
  });

  it('SiteDownError, AbortedError and StoreError release the ID to pending', () => {
    expect(decide(new SiteDownError('down'), 1, policy).action).toBe('release');
    expect(decide(new AbortedError(), 1, policy).action).toBe('release');
    expect(decide(new StoreError('locked'), 1, policy).action).toBe('release');
  });

  it('MissingDependencyError is failed with its hint', () => {
    const d = decide(new MissingDependencyError('no browser', { hint: 'install chromium' }), 1, policy);
    expect(d).toMatchObject({ action: 'final', outcome: 'failed' });
    if (d.action === 'final') expect(d.reason).toContain('install chromium');
  });
});
