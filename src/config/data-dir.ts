import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { StoreError } from '../core/errors.js';
import type { ResolvedConfig } from './schema.js';

/** Create the data directory or fail with one line naming it and the fix. */
export function ensureDataDir(dir: string): string {
  const absolute = path.resolve(dir);
  try {
    mkdirSync(absolute, { recursive: true });
    accessSync(absolute, constants.W_OK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new StoreError(`data directory ${absolute} is not writable (${code})`, {
      cause,
      hint: 'choose another with --data-dir or fix its permissions',
    });
  }
  return absolute;
}

export function defaultStateSpec(config: ResolvedConfig): string {
  return config.store ?? path.join(config.dataDir, 'state.sqlite');
}

export function defaultResultsSpec(config: ResolvedConfig): string {
  return config.results ?? path.join(config.dataDir, 'results.sqlite');
}

/** A store spec that lives on local disk needs the data directory; a server URL does not. */
export function isLocalSpec(spec: string): boolean {
  return !/^(redis|rediss|postgres|postgresql):\/\//i.test(spec) && spec !== 'memory';
}
