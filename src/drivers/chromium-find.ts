import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { MissingDependencyError } from '../core/errors.js';

/** Names tried on PATH, in order, when no Chromium path is given. */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** Names tried on PATH, then well-known locations, when no chromedriver path is given. */
export const CHROMEDRIVER_NAMES = ['chromedriver'];
const CHROMEDRIVER_FALLBACKS = [
  '/usr/bin/chromedriver',
  '/usr/lib/chromium/chromedriver',
  '/usr/lib/chromium-browser/chromedriver',
];

export function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `names` entry found on PATH (or `pathEnv`), as an absolute path. */
export function findOnPath(names: readonly string[], pathEnv = process.env.PATH ?? ''): string | undefined {
  const dirs = pathEnv.split(path.delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

export function findChromium(executablePath?: string): string {
  if (executablePath) {
    if (isExecutable(executablePath)) return executablePath;
    throw new MissingDependencyError(`Chromium not found at ${executablePath}`, {
      hint: 'check the executablePath option, or omit it to search PATH',
    });
  }
  const found = findOnPath(CHROMIUM_NAMES);
  if (found) return found;
  throw new MissingDependencyError(
    'no Chromium found; install it: apt-get install -y chromium (or pass executablePath)',
    {
      hint: `searched PATH for ${CHROMIUM_NAMES.join(', ')}`,
    },
  );
}

export function findChromedriver(driverPath?: string): string {
  if (driverPath) {
    if (isExecutable(driverPath)) return driverPath;
    throw new MissingDependencyError(`chromedriver not found at ${driverPath}`, {
      hint: 'check the driverPath option, or omit it to search PATH',
    });
  }
  const found = findOnPath(CHROMEDRIVER_NAMES) ?? CHROMEDRIVER_FALLBACKS.find(isExecutable);
  if (found) return found;
  throw new MissingDependencyError(
    'no chromedriver found; install it: apt-get install -y chromium-driver (or pass driverPath)',
    { hint: 'chromedriver must match the installed Chromium version; it is never downloaded' },
  );
}
