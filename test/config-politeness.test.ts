import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve-config.js';
import { ConfigError } from '../src/core/errors.js';
import { engineOptionsFromConfig } from '../src/crawler/engine-options.js';

const politeness = (values: Record<string, unknown>) =>
  resolveConfig([{ source: 'csdn-crawl.config.json', values: { politeness: values } }]).politeness;

function refusal(values: Record<string, unknown>): string {
  try {
    politeness(values);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('politeness: the adaptive rate and the old fixed gap', () => {
  it('adapts by default between a floor and a ceiling made for the real site', () => {
    const p = politeness({});
    expect(p).toMatchObject({ adaptive: true, maxRate: 4, minRate: 0.15, startRate: 2 });
    const options = engineOptionsFromConfig(resolveConfig([]), { workerId: 'w' } as never);
    expect(options.rateControl).toEqual({ startRate: 2, minRate: 0.15, maxRate: 4 });
    // the limiter's first gap is the start rate's, before the controller says a word
    expect(options.politeness).toEqual({ maxInFlightPerHost: 4, minDelayMs: 500 });
  });

  it('keeps the old minDelayMs working as a fixed rate, without adaptation', () => {
    expect(politeness({ minDelayMs: 250 })).toMatchObject({ adaptive: false, maxRate: 4 });
    const options = engineOptionsFromConfig(
      resolveConfig([{ source: 'f', values: { politeness: { minDelayMs: 0 } } }]),
      { workerId: 'w' } as never,
    );
    expect(options.rateControl).toBeUndefined();
    expect(options.politeness.minDelayMs).toBe(0);
  });

  it('adaptive: false keeps a fixed rate at the ceiling', () => {
    expect(politeness({ adaptive: false, maxRate: 8 })).toMatchObject({ adaptive: false, maxRate: 8 });
    const options = engineOptionsFromConfig(
      resolveConfig([{ source: 'f', values: { politeness: { adaptive: false, maxRate: 8 } } }]),
      { workerId: 'w' } as never,
    );
    expect(options.rateControl).toBeUndefined();
    expect(options.politeness.minDelayMs).toBe(125);
  });

  // createCrawler resolves the config the CLI already resolved: the resolved form must be valid
  // input that resolves to itself, or every `csdn-crawl run` fails on a key it never wrote.
  it('a resolved config resolves again to itself', () => {
    for (const values of [{}, { minDelayMs: 250 }, { minDelayMs: 0 }, { maxRate: 30, adaptive: false }]) {
      const once = resolveConfig([{ source: 'file', values: { politeness: values } }]);
      const twice = resolveConfig([{ source: 'createCrawler options', values: { ...once } }]);
      expect(twice).toEqual(once);
    }
  });

  it('a lowered ceiling pulls the default start and floor down with it', () => {
    expect(politeness({ maxRate: 0.1 })).toMatchObject({ maxRate: 0.1, minRate: 0.1, startRate: 0.1 });
    expect(politeness({ maxRate: 30 })).toMatchObject({ maxRate: 30, minRate: 0.15, startRate: 2 });
  });

  it('refuses minDelayMs mixed with the rate keys, in one line that says how to migrate', () => {
    const message = refusal({ minDelayMs: 250, maxRate: 3 });
    expect(message).toContain('politeness.minDelayMs');
    expect(message).toContain('maxRate');
    expect(message).toContain('minDelayMs 250 = maxRate 4');
    expect(message).not.toContain('\n');
  });

  it('refuses rates that contradict each other or are not positive, naming the key', () => {
    expect(refusal({ startRate: 9 })).toMatch(/politeness\.startRate.*minRate <= startRate <= maxRate/);
    expect(refusal({ minRate: 5, maxRate: 2 })).toMatch(/politeness\.minRate/);
    expect(refusal({ maxRate: 0 })).toMatch(/politeness\.maxRate/);
    expect(refusal({ maxrate: 3 })).toMatch(/did you mean "politeness\.maxRate"/);
  });
});
