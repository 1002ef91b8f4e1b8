import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/config/load-config-file.js';
import { envLayer, resolveConfig } from '../src/config/resolve-config.js';
import { ConfigError } from '../src/core/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'csdn-config-'));

describe('resolveConfig', () => {
  it('fills defaults', () => {
    const config = resolveConfig([]);
    expect(config.concurrency).toBe(4);
    expect(config.driver).toBe('auto');
    expect(config.baseUrl).toBe('https://blog.csdn.net');
    expect(config.politeness).toEqual({
      maxInFlightPerHost: 4,
      fleetBudget: true,
      adaptive: true,
      maxRate: 4,
      minRate: 0.15,
      startRate: 2,
    });
    expect(config.outage).toEqual({
      failureThreshold: 8,
      maxProbeDelayMs: 30_000,
      firstContactTimeoutMs: 60_000,
    });
  });

  it('takes the outage probe settings, and refuses a probe interval under 100 ms', () => {
    const config = resolveConfig([{ source: 'file', values: { outage: { maxProbeDelayMs: 5000 } } }]);
    expect(config.outage).toEqual({
      failureThreshold: 8,
      maxProbeDelayMs: 5000,
      firstContactTimeoutMs: 60_000,
    });
    expect(() => resolveConfig([{ source: 'f', values: { outage: { maxProbeDelayMs: 5 } } }])).toThrowError(
      /outage\.maxProbeDelayMs/,
    );
  });

  it('lets flags beat env beat file, key by key in nested objects', () => {
    const config = resolveConfig([
      { source: 'file', values: { concurrency: 2, politeness: { minDelayMs: 900, maxInFlightPerHost: 1 } } },
      { source: 'environment', values: { concurrency: 3 } },
      { source: 'flags', values: { concurrency: 7, politeness: { minDelayMs: 10 } } },
    ]);
    expect(config.concurrency).toBe(7);
    expect(config.politeness).toMatchObject({ maxRate: 100, maxInFlightPerHost: 1, adaptive: false });
  });

  it('names an unknown key, its source and the likely intended key', () => {
    expect(() =>
      resolveConfig([{ source: 'csdn-crawl.config.json', values: { concurency: 3 } }]),
    ).toThrowError(
      /unknown config key "concurency" in csdn-crawl\.config\.json \(did you mean "concurrency"\?\)/,
    );
    expect(() => resolveConfig([{ source: 'f', values: { browser: { browserz: 2 } } }])).toThrowError(
      /unknown config key "browser\.browserz".*did you mean "browser\.browsers"/,
    );
  });

  it('names a key of the wrong type and where it came from', () => {
    const error = (() => {
      try {
        resolveConfig([{ source: 'environment', values: { concurrency: 'many' } }]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'config key "concurrency" in environment must be number, got string',
    );
  });

  it('reads CSDN_CRAWL_* variables with numbers as numbers', () => {
    const layer = envLayer({ CSDN_CRAWL_CONCURRENCY: '9', CSDN_CRAWL_STORE: 'redis://x', OTHER: '1' });
    expect(layer.values).toEqual({ concurrency: 9, store: 'redis://x' });
  });
});

describe('config files', () => {
  it('loads JSON, and says where malformed JSON is', async () => {
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ concurrency: 5 }));
    expect((await loadConfigFile(good)).values).toEqual({ concurrency: 5 });
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ "concurrency": 5,, }');
    await expect(loadConfigFile(bad)).rejects.toThrowError(/bad\.json is not valid JSON/);
  });

  it('loads a TypeScript config with a default export', async () => {
    const file = path.join(dir, 'csdn-crawl.config.ts');
    writeFileSync(
      file,
      'const n: number = 6;\nexport default { concurrency: n, driver: "http" as const };\n',
    );
    const layer = await loadConfigFile(file);
    expect(resolveConfig([layer])).toMatchObject({ concurrency: 6, driver: 'http' });
  });

  it('rejects a module that does not export an object', async () => {
    const file = path.join(dir, 'num.mjs');
    writeFileSync(file, 'export default 42;\n');
    await expect(loadConfigFile(file)).rejects.toThrowError(/must export an object/);
  });

  it('names a missing file', async () => {
    await expect(loadConfigFile(path.join(dir, 'nope.json'))).rejects.toThrowError(/does not exist/);
  });
});
