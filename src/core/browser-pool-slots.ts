/**
 * The pool's page slots: at most `capacity` leases at once, handed out first come first served.
 * A released slot passes straight to the next waiter, so a late caller never jumps the queue.
 */
import { abortError } from './deadline.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class PageSlots {
  private inUse = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly capacity: number) {}

  /** Slots taken now. */
  get leased(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves once a slot is ours; rejects when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.inUse < this.capacity && this.waiters.length === 0) {
      this.inUse++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(abortError(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (!next) {
      this.inUse--;
      return;
    }
    this.forget(next);
    next.resolve();
  }

  /** Every waiter fails with `error` (the pool is closing). */
  rejectAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      this.forget(waiter);
      waiter.reject(error);
    }
  }

  private forget(waiter: Waiter): void {
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }
}
