/** Options and results of the crawl engine (`createEngine`). */

import type { CrawlerEventName, Listener } from '../events.js';
import type { FleetBudget } from '../fleet-budget.js';
import type { PolitenessOptions } from '../host-limiter.js';
import type { HttpClient } from '../http-client.js';
import type { Logger } from '../logger.js';
import type { RateControlSettings } from '../rate-controller.js';
import type { ResultStore } from '../result-store.js';
import type { RetryPolicy } from '../retry-policy.js';
import type { DiscoveryOptions, GraphOptions, PageLease, SiteAdapter } from '../site-adapter.js';
import type { StateStore } from '../state-store.js';
import type { OutageOptions } from './outage-monitor.js';
import type { RefreshSettings } from './refresh-cadence.js';

/** The browser pool as the engine sees it (src/core/browser-pool.ts builds one). */
export interface PagePool {
  lease(signal: AbortSignal): Promise<PageLease>;
  readonly available: boolean;
  close(): Promise<void>;
}

export type BrowserMode = 'never' | 'when-needed' | 'always';

/** Outage detection settings; the three the config schema holds are required. */
export type OutageSettings = Omit<OutageOptions, 'logger' | 'onDown' | 'onUp'>;

/**
 * Resolved settings: every one is required, none has a default here. The defaults live in the
 * config schema (src/config/schema.ts) and, for the few the schema lacks, in `ENGINE_TUNING`
 * (./tuning.ts); `engineOptionsFromConfig` (src/crawler) maps a resolved config to these.
 */
export interface EngineSettings {
  /** Users crawled at the same time. */
  concurrency: number;
  politeness: PolitenessOptions;
  /**
   * The adaptive rate per host (src/core/rate-controller.ts); absent: the fixed rate of
   * `politeness.minDelayMs` (the config's legacy key, and engine tests that want no adaptation).
   */
  rateControl?: RateControlSettings;
  /** User-level retries. */
  retries: RetryPolicy;
  /** Request-level retries inside the polite HTTP client (`ENGINE_TUNING.requestRetries`). */
  requestRetries: RetryPolicy;
  /** Deadline of one HTTP request, body included. */
  requestTimeoutMs: number;
  /** Deadline of one attempt at one user. */
  userTimeoutMs: number;
  /** Lease length; leases are renewed every third of it while the user is worked on. */
  leaseMs: number;
  /** How long stop() lets in-flight users finish before aborting them. */
  stopTimeoutMs: number;
  /** Lease owner; stable per machine and data dir so a restart reclaims its own leases. */
  workerId: string;
  discovery: DiscoveryOptions;
  /** Which follow lists adapters read and store as edges (`GRAPH_OFF`: read only for discovery). */
  graph: GraphOptions;
  browserMode: BrowserMode;
  /** Evidence directory. */
  snapshotsDir: string;
  snapshotCapBytes: number;
  /**
   * Discovered IDs: undefined adds them straight to pending; a number N adds them to the backlog
   * and promotes N at a time whenever pending runs dry; 0 leaves them in the backlog.
   */
  promoteBacklog: number | undefined;
  outage: OutageSettings;
  /** Interval of 'progress' events (`ENGINE_TUNING`). */
  progressIntervalMs: number;
  /** Deadline of one state or result store call (`ENGINE_TUNING`). */
  storeTimeoutMs: number;
  /**
   * How long a store may keep failing with transient errors (locked, reconnecting, timing out)
   * before the run stops with its error (exit 3). Fatal store errors stop it at once (`ENGINE_TUNING`).
   */
  storeGiveUpMs: number;
  /** When done and notfound users are crawled again (docs/watching.md). */
  refresh: RefreshSettings;
  /**
   * Never drain: when nothing is pending or due, sleep until the next due time (re-checking
   * every `watchRecheckMs` for IDs another process added), until stop.
   */
  watch: boolean;
  /** Longest sleep of a watching run before it asks the store again (`ENGINE_TUNING`). */
  watchRecheckMs: number;
  /**
   * The engine's clock, epoch ms: crawl times, due times, and the `now` of due claims
   * (`ENGINE_TUNING`: the wall clock; tests and the living replica pass a scaled one).
   */
  now: () => number;
}

/** The live objects an engine works with; the caller opens and closes them. */
export interface EngineParts {
  site: SiteAdapter;
  state: StateStore;
  results: ResultStore;
  /** The raw client (src/drivers/http); the engine wraps it with politeness and retries. */
  http: HttpClient;
  pagePool?: PagePool;
  /**
   * What the workers of a fleet share per host (rate of starts, Retry-After and wall holds, the
   * adaptive rate); without it the politeness budget is this engine's alone.
   */
  fleetBudget?: FleetBudget;
  signal?: AbortSignal;
  logger?: Logger;
  /** Added to pending (depth 0) before the run. */
  ids?: readonly string[];
}

export type EngineOptions = EngineParts & EngineSettings;

export interface RunSummary {
  done: number;
  notfound: number;
  failed: number;
  released: number;
  /** Failed users by error code (`PARSE`, `TIMEOUT`, …): `csdn_crawl_users_failed_total{code}`. */
  failedByCode: Record<string, number>;
  /** Users returned to pending by code (`ABORTED`, `SITE_DOWN`, …): `csdn_crawl_users_released_total{code}`. */
  releasedByCode: Record<string, number>;
  /** HTTP requests sent by this run (retries included). */
  requests: number;
  durationMs: number;
  usersPerMinute: number;
  /** The adaptive request rate per host at the end (starts per second); empty without adaptation. */
  rates?: Record<string, number>;
  stoppedBy?: 'signal' | 'drained';
}

export interface Crawler {
  run(): Promise<RunSummary>;
  /** Stop claiming, let in-flight users finish (up to stopTimeoutMs), release the rest. */
  stop(): Promise<void>;
  on<E extends CrawlerEventName>(event: E, listener: Listener<E>): () => void;
  off<E extends CrawlerEventName>(event: E, listener: Listener<E>): void;
}
