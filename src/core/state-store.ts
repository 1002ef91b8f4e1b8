/**
 * Durable ID sets (the 2018 tool's shelve files, made safe):
 *   backlog  -> discovered or added IDs waiting to be scheduled (left_ALL_USER_IDs)
 *   pending  -> scheduled, ready to be claimed (ALL_USER_IDs)
 *   leased   -> claimed by a worker until the lease expires
 *   done / notfound / failed -> final (DONE_IDs, TIMEOUT_IDs)
 * Every ID is in exactly one set. Claims and counts never scan all IDs.
 */

export type IdSet = 'backlog' | 'pending' | 'leased' | 'done' | 'notfound' | 'failed';
export const ID_SETS: readonly IdSet[] = ['backlog', 'pending', 'leased', 'done', 'notfound', 'failed'];
/** The final sets `retryFailed` can move back to pending. */
export type RetrySet = 'failed' | 'notfound';

export type SetCounts = Record<IdSet, number>;

export interface Lease {
  id: string;
  owner: string;
  /** Epoch ms after which another worker may take the ID. */
  expiresAt: number;
  /** How many times the ID was claimed before (0 on the first claim). */
  attempts: number;
  /** Epoch ms when the ID entered pending; results stored after it mean the work is already done. */
  enqueuedAt: number;
  /** Discovery depth of the ID (0 for IDs the user gave). */
  depth: number;
  /** True when the ID was claimed from a final set because its refresh was due (`enqueuedAt` is then its due time). */
  refresh?: boolean;
}

export interface IdRecord {
  id: string;
  set: IdSet;
  attempts: number;
  depth: number;
  updatedAt: number;
  /** Why it failed, for failed IDs. */
  reason?: string;
  owner?: string;
  expiresAt?: number;
  /** Epoch ms of the next refresh, for IDs in done or notfound that have one. */
  dueAt?: number;
}

export interface CompleteOptions {
  /**
   * Epoch ms when the ID is due for its next refresh (profiles over time). Only for `done` and
   * `notfound`; without it the ID stays final until someone adds it again with `recrawl`.
   */
  dueAt?: number;
}

/**
 * Due times, the rules every store follows (the conformance suite checks each):
 * - `complete(…, 'done' | 'notfound', …, { dueAt })` schedules the ID (it stays in its final set);
 *   `dueAt` is ignored for `failed`. Completing again reschedules: an ID has at most one due time.
 * - A claim with `due` takes pending IDs (and expired leases) first, then due IDs, earliest first.
 *   A claimed due ID leaves the due index; its lease is like any other (renewed, released to
 *   pending on stop with `enqueuedAt` kept, taken by another worker once it expires).
 * - `remove`, `add(…, { recrawl: true })` and `retryFailed('notfound')` unschedule the ID.
 * Keyv stores keep due times at second granularity: an ID is due from the end of the second its
 * `dueAt` falls in (never early, at most a second late), and `dueSummary` counts the same way;
 * Redis is exact to the millisecond.
 */
export interface ClaimOptions {
  /** Once pending is empty, also claim IDs whose refresh is due (`dueAt <= now`), earliest first. */
  due?: boolean;
  /**
   * The clock that decides what is due, for tests and the replica's time scale; default
   * `Date.now()`. Lease expiry stays on the store's own clock.
   */
  now?: number;
}

/** How many refreshes are due, for `status` and the metrics. */
export interface DueSummary {
  /** Due now (`dueAt <= now`). */
  dueNow: number;
  /** Due within the next hour (not counting those due now). */
  nextHour: number;
  /** Due within the next 24 hours (not counting the next hour's). */
  nextDay: number;
  /** Due later than that. */
  later: number;
  /** Earliest due time of an ID not due yet; absent when none is scheduled. */
  nextDueAt?: number;
}

export interface AddOptions {
  /** Target set; default 'pending'. */
  to?: 'backlog' | 'pending';
  depth?: number;
  /** Re-queue IDs that already reached a final set (crawl them again); a due time they had is dropped. */
  recrawl?: boolean;
}

export interface WorkerInfo {
  workerId: string;
  host: string;
  pid: number;
  startedAt: number;
  lastSeen: number;
  inFlight: number;
  /** Users per minute over the last interval. */
  rate: number;
  /** Request starts per second per host, as the adaptive rate stands (absent from older workers). */
  requestRates?: Record<string, number>;
}

export interface StateStore {
  /** Add IDs; IDs already known are left where they are unless `recrawl`. Resolves with how many were added. */
  add(ids: readonly string[], options?: AddOptions): Promise<number>;
  /** Move up to n IDs from backlog to pending, oldest first. */
  promote(n: number): Promise<number>;
  /**
   * Claim up to n IDs from pending (and expired leases) for `owner`; with `options.due`, then IDs
   * whose refresh is due, earliest first. Claims never scan all IDs, due ones included.
   */
  claim(owner: string, n: number, leaseMs: number, options?: ClaimOptions): Promise<Lease[]>;
  /** Extend the leases of IDs still held by owner. */
  renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void>;
  /**
   * Move a leased ID to a final set; with `options.dueAt` (done / notfound) schedule its next refresh
   * (replacing none: a leased ID has no due time). Ignored (resolves false) when owner no longer
   * holds the lease.
   */
  complete(
    owner: string,
    id: string,
    outcome: 'done' | 'notfound' | 'failed',
    reason?: string,
    options?: CompleteOptions,
  ): Promise<boolean>;
  /** Return leased IDs to pending (stop, throttling, outage); their `enqueuedAt` stays. */
  release(owner: string, ids: readonly string[]): Promise<void>;
  /** Return every lease held by owner to pending at once (a restarted worker reclaiming its own); `enqueuedAt` stays. */
  releaseOwner(owner: string): Promise<number>;
  /**
   * Move failed IDs (or, with `'notfound'`, IDs judged not found) back to pending, with a fresh
   * budget of attempts, no reason and no due time. Resolves with how many moved.
   */
  retryFailed(from?: RetrySet): Promise<number>;
  /**
   * Take IDs out of every set and the due index (a typo, junk from a wrong file). Resolves with how
   * many were known.
   */
  remove(ids: readonly string[]): Promise<number>;
  counts(): Promise<SetCounts>;
  /**
   * Refreshes due now, soon and later (cost independent of the number of IDs). Every store of this
   * package has it; Keyv stores count at second granularity (see `ClaimOptions`).
   */
  dueSummary(now?: number): Promise<DueSummary>;
  /** Page through one set. */
  list(set: IdSet, options?: { limit?: number; after?: string }): Promise<IdRecord[]>;
  get(id: string): Promise<IdRecord | undefined>;
  /** Optional: live worker heartbeats (distributed stores). */
  heartbeat?(info: WorkerInfo): Promise<void>;
  workers?(): Promise<WorkerInfo[]>;
  /** Optional, with heartbeat: a worker that ended cleanly leaves `workers()` at once. */
  signOff?(workerId: string): Promise<void>;
  /** Optional: last run's figures, for `status`. */
  setMeta?(key: string, value: unknown): Promise<void>;
  getMeta?<T = unknown>(key: string): Promise<T | undefined>;
  close(): Promise<void>;
  /** Escape hatch: the underlying Keyv or Redis client. */
  readonly raw?: unknown;
}
