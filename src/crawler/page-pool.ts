import type { ResolvedConfig } from '../config/schema.js';
import type { BrowserDriver } from '../core/browser-driver.js';
import { type BrowserPoolOptions, createBrowserPool } from '../core/browser-pool.js';
import { describeError, MissingDependencyError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface PagePoolHandle {
  pool: ReturnType<typeof createBrowserPool>;
  close(): Promise<void>;
}

type PoolSettings = Pick<
  BrowserPoolOptions,
  'size' | 'pagesPerBrowser' | 'maxPagesPerBrowser' | 'maxBrowserAgeMs' | 'opTimeoutMs'
>;

/** The pool's settings from the config's `browser` section (where their defaults live). */
export function browserPoolSettings(browser: ResolvedConfig['browser']): PoolSettings {
  return {
    size: browser.browsers,
    pagesPerBrowser: browser.pagesPerBrowser,
    maxPagesPerBrowser: browser.maxPagesPerBrowser,
    maxBrowserAgeMs: browser.maxBrowserAgeMs,
    opTimeoutMs: browser.pageTimeoutMs,
  };
}

/**
 * The browser pool for a run. `http` gets none; `auto` gets one only when a browser can be found
 * (otherwise HTTP paths still work and the reason is logged once); an explicitly chosen driver
 * that cannot start is an error.
 */
export async function openPagePool(
  config: ResolvedConfig,
  driver: BrowserDriver | undefined,
  logger: Logger,
): Promise<PagePoolHandle | undefined> {
  if (config.driver === 'http' && !driver) return undefined;
  const launch = { executablePath: config.browser.executablePath, driverPath: config.browser.driverPath };
  let chosen: BrowserDriver;
  try {
    if (driver) {
      chosen = driver;
    } else {
      const { findChromium } = await import('../drivers/chromium-find.js');
      const { AUTO_BROWSER_DRIVER, openBrowserDriver } = await import('../drivers/registry.js');
      chosen = await openBrowserDriver(
        config.driver === 'auto' ? AUTO_BROWSER_DRIVER : config.driver,
        launch,
      );
      findChromium(config.browser.executablePath);
    }
  } catch (error) {
    if (config.driver === 'auto' && error instanceof MissingDependencyError) {
      logger.warn(`browser fallback disabled: ${describeError(error)}`);
      return undefined;
    }
    throw error;
  }
  const pool = createBrowserPool({ driver: chosen, ...browserPoolSettings(config.browser), launch, logger });
  return { pool, close: () => pool.close() };
}
