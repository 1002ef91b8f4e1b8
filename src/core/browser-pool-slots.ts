/**
 * The pool's page slots: at most `capacity` leases at once, handed out first come first served.
 * A released slot passes straight to the next waiter, so a late caller never jumps the queue.
 */
import { nextWaiter, type Waiter, waitInQueue } from './wait-queue.js';

export class PageSlots {
  private inUse = 0;
  private readonly waiters: Waiter<void>[] = [];

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
    if (!signal?.aborted && this.inUse < this.capacity && this.waiters.length === 0) {
      this.inUse++;
      return Promise.resolve();
    }
    return waitInQueue(this.waiters, signal);
  }

  release(): void {
    const next = nextWaiter(this.waiters);
    if (next) next.resolve();
    else this.inUse--;
  }

  /** Every waiter fails with `error` (the pool is closing). */
  rejectAll(error: unknown): void {
    for (let waiter = nextWaiter(this.waiters); waiter; waiter = nextWaiter(this.waiters))
      waiter.reject(error);
  }
}
