/**
 * Politeness per host: at most N requests in flight and a rate of request starts (a minimum gap
 * of 1000 / rate ms between two starts to the same host). `politeHttp()` (polite-http.ts) wraps
 * every request of a crawl in it.
 */
import { nextWaiter, type Waiter, waitInQueue } from './wait-queue.js';

/** Resolved settings: the defaults live in the config schema (`politeness`), not here. */
export interface PolitenessOptions {
  /** Requests in flight per host at most. */
  maxInFlightPerHost: number;
  /** Minimum gap between two request starts to the same host. */
  minDelayMs: number;
}

interface HostState {
  active: number;
  nextStartAt: number;
  /** No start before this (a Retry-After or a wall pause); kept apart so a faster rate never pulls a start into it. */
  heldUntil: number;
  /** Gap between two request starts: 1000 / the host's current rate. */
  gapMs: number;
  queue: Waiter<() => void>[];
  timer?: ReturnType<typeof setTimeout>;
}

export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private readonly options: PolitenessOptions;

  constructor(options: PolitenessOptions) {
    this.options = {
      maxInFlightPerHost: Math.max(1, options.maxInFlightPerHost),
      minDelayMs: Math.max(0, options.minDelayMs),
    };
  }

  /** Wait for a slot on `host`; resolves with the function that gives it back (call it once). */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    const state = this.state(host);
    return waitInQueue(state.queue, signal, () => this.pump(host, state));
  }

  /** Hold back new request starts to `host` for `ms` (a Retry-After applies to everyone). */
  defer(host: string, ms: number): void {
    const state = this.state(host);
    state.heldUntil = Math.max(state.heldUntil, Date.now() + ms);
    this.pump(host, state);
  }

  /**
   * Request starts per second to `host` from now on (Infinity: no gap). The configured
   * `minDelayMs` sets the rate a host starts at; an adaptive controller moves it.
   */
  setRate(host: string, perSecond: number): void {
    if (!(perSecond > 0)) throw new RangeError(`rate must be above 0, got ${perSecond}`);
    const state = this.state(host);
    const gapMs = 1000 / perSecond;
    // A slower rate also pushes back the start already scheduled; a faster one may bring it forward.
    state.nextStartAt += gapMs - state.gapMs;
    state.gapMs = gapMs;
    this.pump(host, state);
  }

  /** Current request starts per second to `host` (Infinity when there is no gap). */
  rate(host: string): number {
    const gapMs = this.hosts.get(host)?.gapMs ?? this.options.minDelayMs;
    return gapMs > 0 ? 1000 / gapMs : Number.POSITIVE_INFINITY;
  }

  inFlight(host: string): number {
    return this.hosts.get(host)?.active ?? 0;
  }

  queued(host: string): number {
    return this.hosts.get(host)?.queue.length ?? 0;
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { active: 0, nextStartAt: 0, heldUntil: 0, gapMs: this.options.minDelayMs, queue: [] };
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
      const waiter = nextWaiter(state.queue)!;
      state.active++;
      state.nextStartAt = now + state.gapMs;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        state.active--;
        this.pump(host, state);
      });
    }
  }
}
