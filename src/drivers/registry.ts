/**
 * Browser drivers by name, as stores are chosen by their spec in src/stores/open.ts: each entry
 * names the library it needs and imports its module only when chosen, so a missing optional
 * package matters only to the driver that drives it. Adding a driver is one entry here.
 */
import type { BrowserDriver, LaunchOptions } from '../core/browser-driver.js';
import { InvalidInputError } from '../core/errors.js';
import {
  type DriverPackage,
  PLAYWRIGHT_PACKAGE,
  requirePackage,
  SELENIUM_PACKAGE,
} from './driver-packages.js';

export interface DriverEntry {
  /** The library the driver drives: checked (not loaded) before the driver is made. */
  package: DriverPackage;
  /** Import the driver's module and make the driver. */
  create(options: LaunchOptions): Promise<BrowserDriver>;
}

export const BROWSER_DRIVERS = {
  playwright: {
    package: PLAYWRIGHT_PACKAGE,
    create: async (options) => (await import('./playwright.js')).playwrightDriver(options),
  },
  selenium: {
    package: SELENIUM_PACKAGE,
    create: async (options) => (await import('./selenium.js')).seleniumDriver(options),
  },
} satisfies Record<string, DriverEntry>;

export type BrowserDriverName = keyof typeof BROWSER_DRIVERS;

/** The driver `--driver auto` uses when a Chromium is found. */
export const AUTO_BROWSER_DRIVER: BrowserDriverName = 'playwright';

export const BROWSER_DRIVER_NAMES = Object.keys(BROWSER_DRIVERS) as BrowserDriverName[];

/**
 * The driver called `name`, with `options` for every launch. Unknown names are InvalidInputError;
 * a missing library is MissingDependencyError with the install command as its hint.
 */
export async function openBrowserDriver(
  name: string,
  options: LaunchOptions = {},
  drivers: Readonly<Record<string, DriverEntry>> = BROWSER_DRIVERS,
): Promise<BrowserDriver> {
  const entry = Object.hasOwn(drivers, name) ? drivers[name] : undefined;
  if (!entry) {
    throw new InvalidInputError(`unknown browser driver ${JSON.stringify(name)}`, {
      hint: `use one of: ${Object.keys(drivers).join(', ')}`,
    });
  }
  requirePackage(entry.package);
  return entry.create(options);
}
