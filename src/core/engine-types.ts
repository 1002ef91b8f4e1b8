/** Options and results of the crawl engine (`createEngine`). */
import type { OutageOptions } from './engine-outage.js';
import type { CrawlerEventName, Listener } from './events.js';
import type { PolitenessOptions } from './host-limiter.js';
import type { HttpClient } from './http-client.js';
import type { Logger } from './logger.js';
import type { ResultStore } from './result-store.js';
import type { RetryPolicy } from './retry-policy.js';
import type { DiscoveryOptions, GraphOptions, PageLease, SiteAdapter } from './site-adapter.js';
import type { StateStore } from './state-store.js';

/** The browser pool as the engine sees it (src/core/browser-pool.ts builds one). */
export interface PagePool {
  lease(signal: AbortSignal): Promise<PageLease>;
  readonly available: boolean;
  close(): Promise<void>;
}

export type BrowserMode = 'never' | 'when-needed' | 'always';

export interface EngineOptions {
  site: SiteAdapter;
  state: StateStore;
  results: ResultStore;
  /** The raw client (src/drivers/http); the engine wraps it with politeness and retries. */
  http: HttpClient;
  /** Users crawled at the same time. Default 4. */
  concurrency?: number;
  politeness?: Partial<PolitenessOptions>;
  /** User-level retries. Default 3 attempts, 1 s base, 30 s cap. */
  retries?: Partial<RetryPolicy>;
  /** Request-level retries inside the polite HTTP client. Default 3 attempts, 0.5 s base, 5 s cap. */
  requestRetries?: Partial<RetryPolicy>;
  /** Deadline of one HTTP request, body included. Default 30 s. */
  requestTimeoutMs?: number;
  /** Deadline of one attempt at one user. Default 5 min. */
  userTimeoutMs?: number;
  /** Lease length; leases are renewed every third of it while the user is worked on. Default 2 min. */
  leaseMs?: number;
  /** How long stop() lets in-flight users finish before aborting them. Default 10 s. */
  stopTimeoutMs?: number;
  /** Lease owner; stable per machine and data dir so a restart reclaims its own leases. */
  workerId?: string;
  signal?: AbortSignal;
  logger?: Logger;
  discovery?: Partial<DiscoveryOptions>;
  /**
   * Which follow lists adapters read and store as edges. Absent: none (lists are then read only
   * for discovery); `createCrawler` passes the config's `graph`, on by default.
   */
  graph?: GraphOptions;
  browserMode?: BrowserMode;
  pagePool?: PagePool;
  /** Evidence directory. Default `.csdn-crawl/snapshots` under the working directory. */
  snapshotsDir?: string;
  /** Default 200 MB. */
  snapshotCapBytes?: number;
  /** Added to pending (depth 0) before the run. */
  ids?: string[];
  /**
   * Discovered IDs: undefined (default) adds them straight to pending; a number N adds them to
   * the backlog and promotes N at a time whenever pending runs dry; 0 leaves them in the backlog.
   */
  promoteBacklog?: number;
  /** Alias of promoteBacklog (the config file's name); promoteBacklog wins when both are set. */
  autoPromote?: number;
  /** Outage detection tuning. */
  outage?: Omit<OutageOptions, 'logger' | 'onDown' | 'onUp'>;
  /** Interval of 'progress' events. Default 1 s. */
  progressIntervalMs?: number;
  /** Deadline of one state or result store call. Default 30 s. */
  storeTimeoutMs?: number;
  /**
   * How long a store may keep failing with transient errors (locked, reconnecting, timing out)
   * before the run stops with its error (exit 3). Fatal store errors stop it at once. Default 60 s.
   */
  storeGiveUpMs?: number;
}

export interface RunSummary {
  done: number;
  notfound: number;
  failed: number;
  released: number;
  /** HTTP requests sent by this run (retries included). */
  requests: number;
  durationMs: number;
  usersPerMinute: number;
  stoppedBy?: 'signal' | 'drained';
}

export interface Crawler {
  run(): Promise<RunSummary>;
  /** Stop claiming, let in-flight users finish (up to stopTimeoutMs), release the rest. */
  stop(): Promise<void>;
  on<E extends CrawlerEventName>(event: E, listener: Listener<E>): () => void;
  off<E extends CrawlerEventName>(event: E, listener: Listener<E>): void;
}
