import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve-config.js';
import { resolveEngineOptions } from '../src/crawler/engine-options.js';

const H = 3_600_000;
const layer = (values: Record<string, unknown>) => [{ source: 'test', values }];

describe('config: refresh and watch', () => {
  it('defaults: daily, notfound weekly, 6 h to 7 days, ±10 %, adaptive, not watching', () => {
    const config = resolveConfig([]);
    expect(config.refresh).toEqual({
      every: 24 * H,
      notfoundEvery: 7 * 24 * H,
      min: 6 * H,
      max: 7 * 24 * H,
      jitter: 0.1,
      adaptive: true,
    });
    expect(config.watch).toBe(false);
  });

  it('durations as text or milliseconds', () => {
    const config = resolveConfig(layer({ refresh: { every: '12h', min: '90m', max: 3 * 24 * H } }));
    expect(config.refresh).toMatchObject({ every: 12 * H, min: 1.5 * H, max: 3 * 24 * H });
  });

  it('refuses a bad duration, a jitter too large, and min > every', () => {
    expect(() => resolveConfig(layer({ refresh: { every: 'daily' } }))).toThrow(/refresh\.every/);
    expect(() => resolveConfig(layer({ refresh: { jitter: 0.5 } }))).toThrow(/refresh\.jitter/);
    expect(() => resolveConfig(layer({ refresh: { min: '2d' } }))).toThrow(/min <= every <= max/);
  });

  it('takes intervals down to a second (tests and demos), not below', () => {
    const config = resolveConfig(
      layer({ refresh: { every: '4s', min: '2s', max: '1m', notfoundEvery: 1000 } }),
    );
    expect(config.refresh).toMatchObject({ every: 4000, min: 2000, max: 60_000, notfoundEvery: 1000 });
    expect(() => resolveConfig(layer({ refresh: { min: '500ms' } }))).toThrow(/refresh\.min/);
  });

  it('a misspelt refresh key names the right one', () => {
    expect(() => resolveConfig(layer({ refresh: { evrey: '1h' } }))).toThrow(/did you mean "refresh.every"/);
  });

  it('reaches the engine as resolved settings', () => {
    const options = resolveEngineOptions({ refresh: { every: '2h', min: '1h' }, watch: true }, {
      workerId: 'w',
    } as never);
    expect(options.refresh).toEqual({
      everyMs: 2 * H,
      notfoundEveryMs: 7 * 24 * H,
      minMs: H,
      maxMs: 7 * 24 * H,
      jitter: 0.1,
      adaptive: true,
    });
    expect(options.watch).toBe(true);
    expect(options.watchRecheckMs).toBe(60_000);
    expect(typeof options.now()).toBe('number');
  });
});
