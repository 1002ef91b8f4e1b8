/**
 * The engine's settings that the config schema does not offer (internal tuning no user has needed
 * to change), kept here in one place with the values they always had. Everything a user can set
 * takes its default from the config schema (src/config/schema.ts), never from here.
 * `engineOptionsFromConfig` (src/crawler) adds these; tests may still pass their own.
 */
import type { GraphOptions } from '../site-adapter.js';
import type { EngineSettings } from './types.js';

export const ENGINE_TUNING: Pick<
  EngineSettings,
  'requestRetries' | 'progressIntervalMs' | 'storeTimeoutMs' | 'storeGiveUpMs' | 'watchRecheckMs' | 'now'
> = {
  /** Request-level retries inside the polite HTTP client: quick, few; the user level retries again. */
  requestRetries: {
    maxAttempts: 3,
    baseDelayMs: 500,
    maxDelayMs: 5000,
    maxThrottleWaitMs: 60_000,
    maxThrottles: 5,
  },
  progressIntervalMs: 1000,
  storeTimeoutMs: 30_000,
  storeGiveUpMs: 60_000,
  /** A watching run sees IDs added by another process (`add`, a second worker) within a minute. */
  watchRecheckMs: 60_000,
  now: () => Date.now(),
};

/** No follow list is read or stored for the graph (lists are then read only for discovery). */
export const GRAPH_OFF: GraphOptions = { follows: false, fans: false, maxFollows: 0, maxFans: 0 };
