import { performance } from 'node:perf_hooks';
import type { ReplicaStats } from './replica-types.js';
import type { Route } from './routes.js';

/** What the replica counts of the requests it served (Replica.stats()). */
export class RequestStats {
  private readonly endpoints: Record<string, number> = {};
  private readonly faults: Record<string, number> = {};
  private readonly legacyPages: Record<string, number> = {};
  private total = 0;
  /** Arrival times (monotonic ms) of the last second's requests, oldest first from `head`. */
  private recent: number[] = [];
  private head = 0;
  private peakPerSecond = 0;

  request(r: Route, now = performance.now()): void {
    this.total++;
    this.countInWindow(now);
    this.endpoints[r.endpoint] = (this.endpoints[r.endpoint] ?? 0) + 1;
    if (r.endpoint === 'legacy-list') {
      const key = `${r.username}/${r.page}`;
      this.legacyPages[key] = (this.legacyPages[key] ?? 0) + 1;
    }
  }

  /** The most requests that arrived within any 1-second window (t - 1000 ms, t]. */
  private countInWindow(now: number): void {
    this.recent.push(now);
    while (this.recent[this.head] <= now - 1000) this.head++;
    this.peakPerSecond = Math.max(this.peakPerSecond, this.recent.length - this.head);
    // Drop the forgotten head now and then, so the array stays about one second long.
    if (this.head > 1024 && this.head * 2 > this.recent.length) {
      this.recent = this.recent.slice(this.head);
      this.head = 0;
    }
  }

  fault(name: string): void {
    this.faults[name] = (this.faults[name] ?? 0) + 1;
  }

  /** A copy: later requests do not change it. The server adds what its other parts count. */
  snapshot(): Omit<ReplicaStats, 'retryAfterViolations' | 'wallTrips'> {
    return {
      endpoints: { ...this.endpoints },
      faults: { ...this.faults },
      total: this.total,
      peakPerSecond: this.peakPerSecond,
      legacyPages: { ...this.legacyPages },
    };
  }
}
