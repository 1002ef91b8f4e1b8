/**
 * One `RateController` per host, wired to the host limiter: `politeHttp` reports starts and
 * answers here; a new rate goes to the limiter, and a change of regime (throttled, steady,
 * probing) is one log line and one `rateChange` call, never one per request.
 */
import type { HostLimiter } from './host-limiter.js';
import type { Logger } from './logger.js';
import { type Answer, type RateChange, RateController, type RateControlSettings } from './rate-controller.js';

export interface RateChangeEvent extends RateChange {
  host: string;
}

export interface HostRatesOptions {
  settings: RateControlSettings;
  logger: Logger;
  onChange?: (event: RateChangeEvent) => void;
  now?: () => number;
}

export class HostRates {
  private readonly controllers = new Map<string, RateController>();

  constructor(
    private readonly limiter: Pick<HostLimiter, 'setRate' | 'startRate' | 'rate' | 'queued' | 'shared'>,
    private readonly options: HostRatesOptions,
  ) {}

  /** Before the first request to `host`: the limiter takes the controller's start rate. */
  prepare(host: string): void {
    this.controller(host);
  }

  /** A request to `host` starts now; returns the start time to hand back with its answer. */
  started(host: string): number {
    this.controller(host).started(this.limiter.queued(host) > 0);
    return (this.options.now ?? Date.now)();
  }

  answered(host: string, answer: Answer, startedAt: number): void {
    const controller = this.controller(host);
    // In a fleet every worker's controller moves one shared rate: each goes on from the latest.
    if (this.limiter.shared) controller.adopt(this.limiter.rate(host));
    const change = controller.answered(answer, startedAt);
    if (!change) return;
    if (change.to !== change.from) this.limiter.setRate(host, change.to);
    if (change.regimeChanged) this.options.logger.info(describeChange(host, change));
    this.options.onChange?.({ host, ...change });
  }

  /** Current rate per host (request starts per second). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [host, controller] of this.controllers) out[host] = roundRate(controller.rate);
    return out;
  }

  private controller(host: string): RateController {
    let controller = this.controllers.get(host);
    if (!controller) {
      controller = new RateController(
        { ...this.options.settings, shared: this.limiter.shared },
        this.options.now,
      );
      this.controllers.set(host, controller);
      // The limiter starts a host at the configured gap; the controller's start rate wins, unless
      // a fleet already has a rate for the host (a joining worker must not reset it).
      this.limiter.startRate(host, controller.rate);
    }
    return controller;
  }
}

export function roundRate(rate: number): number {
  if (!Number.isFinite(rate)) return rate;
  return rate < 10 ? Math.round(rate * 100) / 100 : Math.round(rate * 10) / 10;
}

export function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return 'unlimited';
  return rate < 10 ? rate.toFixed(1) : String(Math.round(rate));
}

/** `rate blog.csdn.net throttled (HTTP 429): 8.0 → 4.0/s`, `rate … steady at 6.0/s (below pushback)`. */
export function describeChange(host: string, change: RateChange): string {
  if (change.regime === 'throttled')
    return `rate ${host} throttled (${change.reason}): ${formatRate(change.from)} → ${formatRate(change.to)}/s`;
  if (change.regime === 'steady')
    return `rate ${host} steady at ${formatRate(change.to)}/s (${change.reason})`;
  return `rate ${host} probing: ${formatRate(change.from)} → ${formatRate(change.to)}/s`;
}
