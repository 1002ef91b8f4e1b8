import { TimeoutError } from '../core/errors.js';

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
