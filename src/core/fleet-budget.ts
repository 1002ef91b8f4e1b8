/**
 * What the workers of one fleet share about a host, so N workers together keep one budget:
 * the rate of request starts, the hold after a Retry-After or a bot wall, and the adaptive rate
 * itself. Without one (a single process) the host limiter keeps all of it in memory. The Redis
 * state store's fleet shares it through Redis (src/stores). Core never imports an implementation.
 */
export interface FleetBudget {
  /**
   * Wait until the fleet may start one more request to `host`, at most `ratePerSecond` starts
   * per second for all workers together. Rejects with the signal's reason when it aborts.
   */
  take(host: string, ratePerSecond: number, signal?: AbortSignal): Promise<void>;
  /** No worker of the fleet starts a request to `host` before `untilMs` (epoch ms); the later hold wins. */
  hold(host: string, untilMs: number): Promise<void>;
  /** The fleet's hold on `host` (epoch ms; 0 when there is none). */
  heldUntil(host: string): Promise<number>;
  /** The fleet's current adaptive rate of `host` (starts per second); undefined before any worker set one. */
  rate(host: string): Promise<number | undefined>;
  /**
   * Publish the rate a worker's controller chose (after a cut or a raise) to the whole fleet.
   * `ifUnset`: only when no worker set one yet (a worker that joins must not reset the fleet's rate).
   */
  setRate(host: string, ratePerSecond: number, options?: { ifUnset?: boolean }): Promise<void>;
  close(): Promise<void>;
}
