import { DriverCrashError, TimeoutError } from '../core/errors.js';

/**
 * Settle with `work`, or reject with a TimeoutError after `timeoutMs` (plus `graceMs`, time
 * given to the library's own timer, which reports better, to fire first). The work is not cancelled
 * (drivers cannot cancel a CDP or WebDriver call); callers close the page when this fires.
 */
export function withDeadline<T>(what: string, timeoutMs: number, work: Promise<T>, graceMs = 0): Promise<T> {
  const ms = Math.max(0, Math.floor(timeoutMs));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TimeoutError(`${what} timed out after ${ms} ms`)),
      ms + graceMs,
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Milliseconds left until `end` (a Date.now() value), never negative. */
export function msLeft(end: number): number {
  return Math.max(0, end - Date.now());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type PageErrorMapper = (
  error: unknown,
  context: { what: string; timeoutMs?: number; gone: () => boolean; selector?: string },
) => unknown;

/** What a page operation needs to know of its page: whether it may start, and how failures read. */
export interface PageOperationGuard {
  closed(): boolean;
  gone(): boolean;
  /** Names what is gone in the message, e.g. "browser or page". */
  goneWhat: string;
  graceMs: number;
  mapError: PageErrorMapper;
}

/**
 * Run one page operation under its deadline: refused at once on a closed page or a dead browser,
 * its failure translated by the driver's mapper (timeouts, crashes, intercepted clicks).
 */
export async function runPageOperation<T>(
  guard: PageOperationGuard,
  what: string,
  timeoutMs: number,
  work: () => Promise<T>,
  selector?: string,
): Promise<T> {
  if (guard.closed()) throw new DriverCrashError(`${what}: page is closed`);
  if (guard.gone()) throw new DriverCrashError(`${what}: ${guard.goneWhat} is gone`);
  try {
    return await withDeadline(what, timeoutMs, work(), guard.graceMs);
  } catch (error) {
    throw guard.mapError(error, { what, timeoutMs, gone: guard.gone, selector });
  }
}
