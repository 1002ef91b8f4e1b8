import type { ReplicaStats } from './replica-types.js';
import type { Route } from './routes.js';

/** What the replica counts of the requests it served (Replica.stats()). */
export class RequestStats {
  private readonly endpoints: Record<string, number> = {};
  private readonly faults: Record<string, number> = {};
  private readonly legacyPages: Record<string, number> = {};
  private total = 0;

  request(r: Route): void {
    this.total++;
    this.endpoints[r.endpoint] = (this.endpoints[r.endpoint] ?? 0) + 1;
    if (r.endpoint === 'legacy-list') {
      const key = `${r.username}/${r.page}`;
      this.legacyPages[key] = (this.legacyPages[key] ?? 0) + 1;
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
      legacyPages: { ...this.legacyPages },
    };
  }
}
