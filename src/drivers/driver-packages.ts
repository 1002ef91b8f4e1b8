import { createRequire } from 'node:module';
import { MissingDependencyError } from '../core/errors.js';

/** An optional library a browser driver drives, with what to run when it is missing. */
export interface DriverPackage {
  name: string;
  hint: string;
}

export const PLAYWRIGHT_PACKAGE: DriverPackage = {
  name: 'playwright-core',
  hint: 'npm i playwright-core (it drives the system Chromium; no browser download), or use the selenium driver',
};

export const SELENIUM_PACKAGE: DriverPackage = {
  name: 'selenium-webdriver',
  hint: 'npm i selenium-webdriver@4.35, and apt-get install -y chromium-driver',
};

export function missingPackage(pkg: DriverPackage, cause?: unknown): MissingDependencyError {
  return new MissingDependencyError(`${pkg.name} is not installed`, { cause, hint: pkg.hint });
}

/**
 * Throws missingPackage() unless `pkg` can be found. Resolves the package without loading it: a
 * run that never needs a browser should not pay for loading the library (playwright-core alone
 * is tens of MB of a small machine's memory).
 */
export function requirePackage(pkg: DriverPackage): void {
  try {
    createRequire(import.meta.url).resolve(pkg.name);
  } catch (error) {
    throw missingPackage(pkg, error);
  }
}
