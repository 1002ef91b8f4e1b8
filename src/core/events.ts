/** Typed events of a running crawler. Listeners that throw are isolated from the engine. */
import type { RateChangeEvent } from './host-rates.js';
import type { LogLevel } from './logger.js';

export interface ProgressEvent {
  done: number;
  failed: number;
  notfound: number;
  released: number;
  inFlight: number;
  /** IDs waiting in the shared pending set (all workers), -1 when the store did not answer. */
  pending: number;
  /** Users finished by this worker per minute over the last minute. */
  usersPerMin: number;
  /** HTTP requests per second over the last few seconds. */
  requestsPerSec: number;
  /** Hosts currently considered down. */
  down: string[];
  /** The adaptive request rate per host (starts per second); empty without adaptation. */
  rates: Record<string, number>;
}

export interface CrawlerEvents {
  progress: ProgressEvent;
  userDone: { id: string; articles: number; ms: number };
  userNotFound: { id: string; ms: number };
  userFailed: { id: string; reason: string; code: string };
  /** `code`: the error code behind it (`ABORTED` for a stop), bounded where `reason` is free text. */
  userReleased: { id: string; reason: string; code: string };
  discovered: { ids: string[]; from: string; depth: number };
  siteDown: { host: string; since: number };
  siteUp: { host: string; downMs: number };
  /** The adaptive rate of a host moved (`regimeChanged`: throttled, steady or probing began). */
  rateChange: RateChangeEvent;
  log: { level: LogLevel; message: string; fields?: Record<string, unknown> };
}

export type CrawlerEventName = keyof CrawlerEvents;
export type Listener<E extends CrawlerEventName> = (event: CrawlerEvents[E]) => void;

export class TypedEmitter {
  private readonly listeners = new Map<CrawlerEventName, Set<(event: never) => void>>();

  on<E extends CrawlerEventName>(name: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  off<E extends CrawlerEventName>(name: E, listener: Listener<E>): void {
    this.listeners.get(name)?.delete(listener as (event: never) => void);
  }

  emit<E extends CrawlerEventName>(name: E, event: CrawlerEvents[E]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E>)(event);
      } catch {
        // A listener's bug must not break the crawl.
      }
    }
  }
}
