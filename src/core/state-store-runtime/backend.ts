import type { CrawlError } from '../errors.js';
import type { DueSummary, IdSet, Lease, RetrySet, SetCounts, WorkerInfo } from '../state-store.js';
import type { StateRecord } from './record.js';

/** What a backend can do beyond the ID sets; the runtime offers the matching methods only when set. */
export interface StateBackendCapabilities {
  /** heartbeat, workers, signOff */
  workers: boolean;
  /** setMeta, getMeta */
  meta: boolean;
}

export type Outcome = 'done' | 'notfound' | 'failed';

export interface Completion {
  owner: string;
  id: string;
  outcome: Outcome;
  reason?: string;
  /** When its next refresh is due; only for done and notfound (the runtime drops it for failed). */
  dueAt?: number;
}

export interface StoredEntry {
  id: string;
  record: StateRecord;
}

/**
 * The primitives a state store implements; `StateStoreRuntime` turns them into a full `StateStore`.
 * Arguments arrive checked (non-empty owner, string IDs without duplicates, positive counts and lease
 * times) and cut to at most `maxBatch` IDs per call; each call must be atomic on its own. A backend
 * throws whatever its library throws: the runtime passes errors through `classifyError`.
 */
export interface StateBackend<Raw = unknown> {
  /** Names the store in messages ("state store /data/state.sqlite", "Redis at host:6379"). */
  readonly label: string;
  /** The underlying client (the Keyv, the ioredis client), exposed as `StateStore.raw`. */
  readonly raw: Raw;
  readonly capabilities: StateBackendCapabilities;
  /** The most IDs (or the largest n) one call takes. */
  readonly maxBatch: number;

  /** Adds unknown IDs to `to` (and, with `recrawl`, moves final ones there); resolves with how many. */
  add(ids: readonly string[], to: 'backlog' | 'pending', depth: number, recrawl: boolean): Promise<number>;
  /** Moves up to n IDs from the head of backlog to the tail of pending. */
  promote(n: number): Promise<number>;
  /**
   * Leases up to n IDs: expired leases first, then the head of pending, then (only when `dueNow` is
   * given) done / notfound IDs with `dueAt <= dueNow`, earliest first: they leave the due index and
   * are leased with `refresh: true`, attempts reset to 0 and `enqueuedAt` = their `dueAt`.
   * Lease expiry stays on the store's own clock (`Date.now()`); `dueNow` only decides what is due.
   */
  claim(owner: string, n: number, leaseMs: number, dueNow?: number): Promise<Lease[]>;
  renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void>;
  /**
   * Writes a group of completions at once and resolves with one flag per completion (false: the owner
   * no longer held it). Call `take()` once, as late as possible (after taking a lock, or at least a
   * microtask later), so that completions arriving meanwhile travel in the same write.
   */
  complete(take: () => readonly Completion[]): Promise<boolean[]>;
  /** Puts the owner's leases among `ids` at the head of pending, in the order given. */
  release(owner: string, ids: readonly string[]): Promise<void>;
  releaseOwner(owner: string): Promise<number>;
  /** Moves up to n IDs from `from` to pending with a fresh budget of attempts (and unscheduled). */
  retryFailed(from: RetrySet, n: number): Promise<number>;
  remove(ids: readonly string[]): Promise<number>;
  counts(): Promise<SetCounts>;
  /** Refreshes due at `now`, in the next hour, day and later; cost independent of the number of IDs. */
  dueSummary(now: number): Promise<DueSummary>;
  /** Up to `limit` (≥ 1) entries of one set, after the ID `after` (none when it left the set). */
  list(set: IdSet, limit: number, after: string | undefined): Promise<StoredEntry[]>;
  get(id: string): Promise<StateRecord | undefined>;

  /** With `capabilities.meta`. */
  setMeta?(key: string, value: unknown): Promise<void>;
  getMeta?(key: string): Promise<unknown>;
  /** With `capabilities.workers`. */
  heartbeat?(info: WorkerInfo): Promise<void>;
  workers?(): Promise<WorkerInfo[]>;
  signOff?(workerId: string): Promise<void>;

  /** Turns a library error into a StoreError with a hint (transient when it may pass). */
  classifyError?(error: unknown): CrawlError;
  close(): Promise<void>;
}
