import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBrowserPool } from '../src/core/browser-pool.js';
import { MissingDependencyError } from '../src/core/errors.js';
import { findChromedriver, findChromium, findOnPath } from '../src/drivers/chromium-find.js';
import { chromiumFlags } from '../src/drivers/chromium-flags.js';
import { playwrightDriver } from '../src/drivers/playwright.js';
import { seleniumDriver } from '../src/drivers/selenium.js';
import { defaultPoolSettings } from './helpers/pool-settings.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driver-find-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeBinary(name: string, executable = true): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, executable ? 0o755 : 0o644);
  return file;
}

describe('finding Chromium and chromedriver', () => {
  it('searches PATH in order and skips files that are not executable', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    for (const d of [a, b]) rmSync(d, { recursive: true, force: true });
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(path.join(a, 'chromium'), '');
    writeFileSync(path.join(b, 'chromium'), '#!/bin/sh\n');
    chmodSync(path.join(b, 'chromium'), 0o755);
    expect(findOnPath(['chromium'], `${a}${path.delimiter}${b}`)).toBe(path.join(b, 'chromium'));
    expect(findOnPath(['google-chrome'], `${a}${path.delimiter}${b}`)).toBeUndefined();
  });

  it('takes an explicit path when it is executable and names it when it is not', () => {
    const good = fakeBinary('my-chromium');
    expect(findChromium(good)).toBe(good);
    const bad = fakeBinary('not-executable', false);
    expect(() => findChromium(bad)).toThrow(MissingDependencyError);
    expect(() => findChromium(path.join(dir, 'missing'))).toThrow(/Chromium not found at/);
    expect(() => findChromedriver(path.join(dir, 'missing'))).toThrow(MissingDependencyError);
  });

  it('finds the system Chromium and chromedriver of this machine', () => {
    expect(findChromium()).toMatch(/chrom/);
    expect(findChromedriver()).toMatch(/chromedriver$/);
  });

  it('tells how to install Chromium when none is on PATH', () => {
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(() => findChromium()).toThrow(
        'no Chromium found; install it: apt-get install -y chromium (or pass executablePath)',
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('drivers without their dependencies', () => {
  it('playwright: a missing playwright-core is a MissingDependencyError with an install hint', async () => {
    const driver = playwrightDriver({
      loadModule: () => Promise.reject(new Error("Cannot find module 'playwright-core'")),
    });
    const error = await driver.launch({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as MissingDependencyError).hint).toMatch(/npm i playwright-core/);
  });

  it('playwright and selenium: a missing browser or chromedriver path fails before anything starts', async () => {
    await expect(
      playwrightDriver().launch({ executablePath: path.join(dir, 'nope') }),
    ).rejects.toBeInstanceOf(MissingDependencyError);
    await expect(seleniumDriver({ driverPath: path.join(dir, 'nope') }).launch({})).rejects.toBeInstanceOf(
      MissingDependencyError,
    );
    expect(process.env.SE_OFFLINE).toBe('true');
  });

  it('the pool reports itself unavailable once the driver cannot start', async () => {
    const pool = createBrowserPool({
      driver: playwrightDriver({ executablePath: path.join(dir, 'nope') }),
      ...defaultPoolSettings,
    });
    expect(pool.available).toBe(true);
    await expect(pool.lease()).rejects.toBeInstanceOf(MissingDependencyError);
    expect(pool.available).toBe(false);
    await expect(pool.lease()).rejects.toBeInstanceOf(MissingDependencyError);
    expect(pool.stats()).toMatchObject({ browsers: 0, leased: 0 });
    await pool.close();
  });
});

describe('Chromium flags', () => {
  it('always runs quiet, headless unless asked, with the given profile and extra switches', () => {
    const flags = chromiumFlags({ userDataDir: '/tmp/p', args: ['--lang=zh-CN'] });
    for (const flag of [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--user-data-dir=/tmp/p',
      '--lang=zh-CN',
    ]) {
      expect(flags).toContain(flag);
    }
    expect(chromiumFlags({ userDataDir: '/tmp/p', headless: false })).not.toContain('--headless=new');
  });

  it("merges the caller's feature lists into ours: one --disable-features, one --enable-features", () => {
    const flags = chromiumFlags({
      userDataDir: '/tmp/p',
      args: [
        '--disable-features=Translate',
        '--enable-features=SpareRendererForSitePerProcess',
        '--mute-audio',
      ],
    });
    const disable = flags.filter((f) => f.startsWith('--disable-features='));
    const enable = flags.filter((f) => f.startsWith('--enable-features='));
    expect(disable).toHaveLength(1);
    expect(enable).toHaveLength(1);
    const disabled = disable[0].split('=')[1].split(',');
    expect(disabled).toEqual(
      expect.arrayContaining(['WebUIOmniboxPopup', 'PreloadTopChromeWebUI', 'Translate']),
    );
    // The caller asked for the spare renderer back: it wins over our default.
    expect(disabled).not.toContain('SpareRendererForSitePerProcess');
    expect(enable[0].split('=')[1].split(',')).toEqual(
      expect.arrayContaining(['NetworkServiceInProcess2', 'SpareRendererForSitePerProcess']),
    );
    expect(flags).toContain('--mute-audio');
  });
});
