import { describe, expect, it } from 'vitest';
import { InvalidInputError, MissingDependencyError } from '../src/core/errors.js';
import { BROWSER_DRIVER_NAMES, type DriverEntry, openBrowserDriver } from '../src/drivers/registry.js';

describe('the browser driver registry', () => {
  it('makes each registered driver by name without launching anything', async () => {
    expect(BROWSER_DRIVER_NAMES).toEqual(['playwright', 'selenium']);
    const playwright = await openBrowserDriver('playwright');
    expect(playwright.name).toBe('playwright');
    expect(playwright.maxOpenPages).toBeUndefined();
    const selenium = await openBrowserDriver('selenium', { driverPath: '/usr/bin/chromedriver' });
    expect(selenium.name).toBe('selenium');
    expect(selenium.maxOpenPages).toBe(1);
  });

  it('refuses an unknown name, naming the ones it knows', async () => {
    for (const name of ['firefox', 'auto', 'http', 'toString', '']) {
      const error = await openBrowserDriver(name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).hint).toBe('use one of: playwright, selenium');
    }
  });

  it('reports a missing library with its install command before importing the driver', async () => {
    let created = 0;
    const drivers: Record<string, DriverEntry> = {
      ghost: {
        package: {
          name: 'csdn-crawl-no-such-browser-library',
          hint: 'npm i csdn-crawl-no-such-browser-library',
        },
        create: async () => {
          created++;
          throw new Error('must not be reached');
        },
      },
    };
    const error = await openBrowserDriver('ghost', {}, drivers).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as MissingDependencyError).message).toBe(
      'csdn-crawl-no-such-browser-library is not installed',
    );
    expect((error as MissingDependencyError).hint).toBe('npm i csdn-crawl-no-such-browser-library');
    expect(created).toBe(0);
  });
});
