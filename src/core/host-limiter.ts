/**
 * Politeness per host: at most N requests in flight and a rate of request starts (a minimum gap
 * of 1000 / rate ms between two starts to the same host). `politeHttp()` (polite-http.ts) wraps
 * every request of a crawl in it. Given a FleetBudget, the rate and the holds are the fleet's:
 * every start takes a slot from the budget, `defer` holds the whole fleet, and `setRate` reaches
 * every worker (each picks the fleet's rate up within `rateCacheMs`).
 */
import type { FleetBudget } from './fleet-budget.js';
import { nextWaiter, type Waiter, waitInQueue } from './wait-queue.js';

/** Resolved settings: the defaults live in the config schema (`politeness`), not here. */
export interface PolitenessOptions {
  /** Requests in flight per host at most. */
  maxInFlightPerHost: number;
  /** Minimum gap between two request starts to the same host. */
  minDelayMs: number;
}

export interface HostLimiterFleet {
  budget: FleetBudget;
  /** How long the fleet's rate read from the budget is used before it is read again; default 500 ms. */
  rateCacheMs?: number;
  /** The budget failed (Redis unreachable): the limiter paces this worker alone meanwhile. */
  onError?: (error: unknown) => void;
}

interface HostState {
  active: number;
  /** No start before this: the local gap (no budget). */
  nextStartAt: number;
  /** No start before this (a Retry-After or a wall pause); kept apart so a faster rate never pulls a start into it. */
  heldUntil: number;
  /** Gap between two request starts: 1000 / the host's current rate. */
  gapMs: number;
  queue: Waiter<() => void>[];
  timer?: ReturnType<typeof setTimeout>;
  /** Slots being taken from the fleet budget (at most TAKES_AHEAD per host and process). */
  taking: number;
  /** The fleet's rate as last read or set, and when; `rateVersion` drops reads older than a set. */
  fleetRate?: number;
  fleetRateAt: number;
  rateRead?: Promise<void>;
  rateVersion: number;
}

const DEFAULT_RATE_CACHE_MS = 500;
/**
 * Slots a worker takes at once, while as many requests wait: the next slot is claimed while the
 * previous one is waited for, so the round trips to Redis of a busy machine do not miss slots.
 */
const TAKES_AHEAD = 2;

export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private readonly options: PolitenessOptions;
  private readonly fleet?: Required<HostLimiterFleet>;
  /** Aborts the slots still being taken when the limiter is closed. */
  private readonly lifetime = new AbortController();

  constructor(options: PolitenessOptions, fleet?: HostLimiterFleet) {
    this.options = {
      maxInFlightPerHost: Math.max(1, options.maxInFlightPerHost),
      minDelayMs: Math.max(0, options.minDelayMs),
    };
    if (fleet) this.fleet = { rateCacheMs: DEFAULT_RATE_CACHE_MS, onError: () => {}, ...fleet };
  }

  /** Wait for a slot on `host`; resolves with the function that gives it back (call it once). */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    const state = this.state(host);
    return waitInQueue(state.queue, signal, () => this.pump(host, state));
  }

  /** Hold back new request starts to `host` for `ms` (a Retry-After applies to everyone: the whole fleet). */
  defer(host: string, ms: number): void {
    const state = this.state(host);
    const until = Date.now() + ms;
    state.heldUntil = Math.max(state.heldUntil, until);
    this.fleet?.budget.hold(host, until).catch(this.fleet.onError);
    this.pump(host, state);
  }

  /**
   * Request starts per second to `host` from now on (Infinity: no gap). The configured
   * `minDelayMs` sets the rate a host starts at; an adaptive controller moves it. With a fleet
   * budget the rate is the fleet's: it is published to every worker.
   */
  setRate(host: string, perSecond: number): void {
    if (!(perSecond > 0)) throw new RangeError(`rate must be above 0, got ${perSecond}`);
    const state = this.state(host);
    const gapMs = 1000 / perSecond;
    if (!this.fleet) {
      // A slower rate also pushes back the start already scheduled; a faster one may bring it forward.
      state.nextStartAt += gapMs - state.gapMs;
    } else {
      state.fleetRate = perSecond;
      state.fleetRateAt = Date.now();
      state.rateVersion++;
      this.fleet.budget.setRate(host, perSecond).catch(this.fleet.onError);
    }
    state.gapMs = gapMs;
    this.pump(host, state);
  }

  /** Whether the rate and the holds are a fleet's (a FleetBudget was given). */
  get shared(): boolean {
    return this.fleet !== undefined;
  }

  /**
   * The rate a host starts at: `setRate` alone, or with a fleet budget the fleet's rate when some
   * worker already set one (this one adopts it within `rateCacheMs`), else this one.
   */
  startRate(host: string, perSecond: number): void {
    if (!this.fleet) {
      this.setRate(host, perSecond);
      return;
    }
    if (!(perSecond > 0)) throw new RangeError(`rate must be above 0, got ${perSecond}`);
    const state = this.state(host);
    state.gapMs = 1000 / perSecond;
    this.fleet.budget.setRate(host, perSecond, { ifUnset: true }).catch(this.fleet.onError);
    state.fleetRateAt = 0;
    this.readFleetRate(host, state);
    this.pump(host, state);
  }

  /**
   * Current request starts per second to `host` (Infinity when there is no gap); with a fleet
   * budget, the fleet's rate as last read (read again in the background once it is older than
   * `rateCacheMs`).
   */
  rate(host: string): number {
    if (this.fleet) {
      const state = this.state(host);
      this.readFleetRate(host, state);
      if (state.fleetRate !== undefined) return state.fleetRate;
    }
    const gapMs = this.hosts.get(host)?.gapMs ?? this.options.minDelayMs;
    return gapMs > 0 ? 1000 / gapMs : Number.POSITIVE_INFINITY;
  }

  inFlight(host: string): number {
    return this.hosts.get(host)?.active ?? 0;
  }

  queued(host: string): number {
    return this.hosts.get(host)?.queue.length ?? 0;
  }

  /** Stops taking slots from the fleet budget (the budget itself belongs to the caller). */
  close(): void {
    this.lifetime.abort();
    for (const state of this.hosts.values()) if (state.timer) clearTimeout(state.timer);
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = {
        active: 0,
        nextStartAt: 0,
        heldUntil: 0,
        gapMs: this.options.minDelayMs,
        queue: [],
        taking: 0,
        fleetRateAt: 0,
        rateVersion: 0,
      };
      this.hosts.set(host, state);
    }
    return state;
  }

  private pump(host: string, state: HostState): void {
    while (state.queue.length > 0 && state.active < this.options.maxInFlightPerHost) {
      const now = Date.now();
      const startAt = Math.max(state.nextStartAt, state.heldUntil);
      if (now < startAt) {
        if (state.timer) clearTimeout(state.timer);
        state.timer = setTimeout(() => {
          state.timer = undefined;
          this.pump(host, state);
        }, startAt - now);
        return;
      }
      if (this.fleet) {
        const wanted = Math.min(
          TAKES_AHEAD,
          state.queue.length,
          this.options.maxInFlightPerHost - state.active,
        );
        while (state.taking < wanted && !this.lifetime.signal.aborted) void this.takeFromFleet(host, state);
        return;
      }
      this.grant(host, state);
      state.nextStartAt = now + state.gapMs;
    }
  }

  /** One slot from the fleet budget, then a start for the first waiter (if one is still there). */
  private async takeFromFleet(host: string, state: HostState): Promise<void> {
    const fleet = this.fleet!;
    state.taking++;
    let alone = false;
    try {
      if (state.fleetRateAt === 0) this.readFleetRate(host, state);
      await state.rateRead;
      await fleet.budget.take(host, this.rate(host), this.lifetime.signal);
    } catch (error) {
      if (this.lifetime.signal.aborted) return;
      // Redis trouble must not stop the crawl nor let it run unpaced: this worker keeps the gap alone.
      fleet.onError(error);
      alone = true;
    } finally {
      state.taking--;
    }
    const now = Date.now();
    // A hold this worker set while the slot was taken: the slot is given up.
    if (
      now >= Math.max(state.nextStartAt, state.heldUntil) &&
      state.queue.length > 0 &&
      state.active < this.options.maxInFlightPerHost
    ) {
      this.grant(host, state);
      if (alone) state.nextStartAt = now + state.gapMs;
    }
    this.pump(host, state);
  }

  private grant(host: string, state: HostState): void {
    const waiter = nextWaiter(state.queue)!;
    state.active++;
    let released = false;
    waiter.resolve(() => {
      if (released) return;
      released = true;
      state.active--;
      this.pump(host, state);
    });
  }

  /** Reads the fleet's rate in the background when the cached one is stale. */
  private readFleetRate(host: string, state: HostState): void {
    const fleet = this.fleet!;
    if (state.rateRead || Date.now() - state.fleetRateAt < fleet.rateCacheMs) return;
    const version = state.rateVersion;
    state.rateRead = fleet.budget
      .rate(host)
      .then((rate) => {
        // A rate this worker set meanwhile is newer than what was read.
        if (version !== state.rateVersion) return;
        if (rate !== undefined) {
          state.fleetRate = rate;
          state.gapMs = 1000 / rate;
        }
        state.fleetRateAt = Date.now();
      })
      .catch((error) => {
        state.fleetRateAt = Date.now();
        fleet.onError(error);
      })
      .finally(() => {
        state.rateRead = undefined;
      });
  }
}
