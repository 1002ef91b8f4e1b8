import { InvalidInputError } from '../core/errors.js';

/** A whole-number flag in [min, max], or the default when absent; anything else is a usage error. */
export function intFlag(
  name: string,
  value: unknown,
  fallback: number,
  range: { min: number; max: number } = { min: 0, max: Number.MAX_SAFE_INTEGER },
): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim() || Number.NaN);
  if (!Number.isInteger(n) || n < range.min || n > range.max) {
    throw new InvalidInputError(
      `--${name} must be a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(String(value).slice(0, 60))}`,
      { hint: `e.g. --${name} ${fallback}` },
    );
  }
  return n;
}

export const portFlag = (value: unknown, fallback: number) =>
  intFlag('port', value, fallback, { min: 0, max: 65535 });

/** A listen() failure as the user should read it: which address, why, how to fix. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') {
    return new InvalidInputError(`port ${port} on ${host} is already in use`, {
      cause: error,
      hint: 'stop the other program or choose another --port (0 picks a free one)',
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new InvalidInputError(`not allowed to listen on ${host}:${port}`, {
      cause: error,
      hint: 'ports below 1024 need privileges: choose --port 1024 or above',
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new InvalidInputError(`cannot listen on ${host}: no such local address`, {
      cause: error,
      hint: 'use --host 127.0.0.1 or an address of this machine',
    });
  }
  return error;
}
