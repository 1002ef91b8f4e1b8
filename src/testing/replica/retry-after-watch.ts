/**
 * Counts requests a client sends inside a Retry-After window the replica announced to it (a 429
 * with `Retry-After`): a polite crawler keeps this at 0. The window opens when the 429 is sent,
 * after a grace: a request that reaches the replica within GRACE_MS of the answer was most
 * likely on its way (or its start already decided) before the client could read the 429, which
 * is no violation. A client that ignores Retry-After at any useful pace still lands in the rest
 * of the window.
 */
export const RETRY_AFTER_GRACE_MS = 200;

export class RetryAfterWatch {
  private readonly windows = new Map<string, { from: number; until: number }>();
  private count = 0;

  /** A 429 with `Retry-After: ms/1000` is being sent to `client` now. */
  announce(client: string, ms: number, now: number): void {
    const until = now + ms;
    const open = this.windows.get(client);
    // An open window is extended, never shortened, by a later 429.
    if (open && open.until >= until) return;
    this.windows.set(client, {
      from: open && now < open.until ? open.from : now + RETRY_AFTER_GRACE_MS,
      until,
    });
  }

  /**
   * A request from `client` arrives now. When it violates an announced window it is counted, and
   * the answer is the time left in that window (ms, > 0); otherwise 0.
   */
  arrived(client: string, now: number): number {
    const open = this.windows.get(client);
    if (!open) return 0;
    if (now >= open.until) {
      this.windows.delete(client);
      return 0;
    }
    if (now < open.from) return 0;
    this.count++;
    return open.until - now;
  }

  get violations(): number {
    return this.count;
  }
}
