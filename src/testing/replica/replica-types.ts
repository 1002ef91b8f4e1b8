import type { ApiVariant } from './api-variant.js';
import type { ClockSource } from './clock.js';
import type { Drift } from './drift.js';
import type { FaultConfig, FaultPreset } from './faults.js';
import type { LongUsers, UserTruth } from './population.js';

// What startReplica takes and returns (server.ts); the public types of the replica.

export interface ReplicaOptions {
  port?: number;
  host?: string;
  users?: number;
  seed?: number;
  /** Named changes of the site (drift.ts), for `csdn-crawl doctor`. Default none. */
  drift?: Drift[];
  faults?: FaultPreset | Partial<FaultConfig>;
  legacyOnly?: boolean;
  overlay?: boolean;
  pagerDelayMs?: [number, number];
  legacyPageSize?: number;
  /** Cap on each user's articles (default: none, the heavy tail reaches ~3000). */
  maxArticlesPerUser?: number;
  /** Which of the API shapes seen in public captures to serve (docs/replica.md). */
  apiVariant?: Partial<ApiVariant>;
  /** The first `count` users get `articles` (a [min, max] range, seeded per user): long walks. */
  longUsers?: LongUsers;
  /**
   * A replica that lives (docs/replica.md): the clock it reads (epoch ms, default Date.now when
   * only `timeScale` is given). Without `clock` and `timeScale` the world is frozen, as always.
   */
  clock?: ClockSource;
  /** Replica time per clock time (86400: a replica day per real second). Default 1 with a clock. */
  timeScale?: number;
}

export interface ReplicaStats {
  endpoints: Record<string, number>;
  faults: Record<string, number>;
  total: number;
  /**
   * The most requests (all endpoints) that arrived within any 1-second sliding window since the
   * replica started: what a site's rate limit sees.
   */
  peakPerSecond: number;
  /** Requests per legacy list page, keyed `<username>/<page>` (which pages a walk read again). */
  legacyPages: Record<string, number>;
  /** Requests that arrived inside a Retry-After window the replica had announced to their client (retry-after-watch.ts). */
  retryAfterViolations: number;
  /** Times a client went over the bot wall's burst and was walled (faults.wall counts the answers). */
  wallTrips: number;
}

export interface Replica {
  url: string;
  port: number;
  usernames: string[];
  missingUsernames: string[];
  /** Users whose nickname and texts carry every page marker (adversarial.ts); outside the graph. */
  adversarialUsernames: string[];
  allUsernames(): string[];
  /** What the site serves for the user at replica time `at` (default now); a frozen replica ignores `at`. */
  truth(username: string, at?: number): UserTruth | undefined;
  exportTruth(at?: number): Record<string, UserTruth>;
  /**
   * Drafts of a user: counted in get-business-list's `total`, never listed (undefined for a
   * missing user). What a request count needs besides the truth (minimal-requests.ts).
   */
  drafts(username: string): number | undefined;
  /** Replica time now (epoch ms); a frozen replica is always at 2025-06-01 12:00:00. */
  now(): number;
  /** Replica time at a reading of the clock (e.g. the crawler's Date.now() when it crawled). */
  timeAt(clockMs: number): number;
  stats(): ReplicaStats;
  setFaults(faults: FaultPreset | Partial<FaultConfig>): void;
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}
