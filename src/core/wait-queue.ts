import { abortError } from './deadline.js';

/** One caller waiting in a first-come-first-served queue. */
export interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Join `queue` and wait to be resolved by its owner; a waiter whose signal aborts leaves the
 * queue at once and rejects, so an abandoned caller never holds up the ones behind it.
 */
export function waitInQueue<T>(
  queue: Waiter<T>[],
  signal: AbortSignal | undefined,
  queued?: () => void,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const waiter: Waiter<T> = { resolve, reject, signal };
    if (signal) {
      waiter.onAbort = () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    }
    queue.push(waiter);
    queued?.();
  });
}

/** Take the first waiter out of `queue`, no longer listening to its signal. */
export function nextWaiter<T>(queue: Waiter<T>[]): Waiter<T> | undefined {
  const waiter = queue.shift();
  if (waiter?.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  return waiter;
}
