import { StoreError } from '../errors.js';
import type {
  AddOptions,
  ClaimOptions,
  CompleteOptions,
  DueSummary,
  IdRecord,
  IdSet,
  Lease,
  RetrySet,
  SetCounts,
  StateStore,
  WorkerInfo,
} from '../state-store.js';
import type { Completion, Outcome, StateBackend } from './backend.js';
import {
  checkAddTarget,
  checkCount,
  checkIdList,
  checkLeaseMs,
  checkNewIds,
  checkOutcome,
  checkOwner,
  checkRetrySet,
  checkSet,
  checkTime,
} from './checks.js';
import { eachChunk, untilShort } from './chunks.js';
import { toStoreFault } from './faults.js';
import { GroupCommit } from './group-commit.js';
import { toIdRecord } from './record.js';

const OPTIONAL: Record<keyof StateBackend['capabilities'], readonly (keyof StateStore)[]> = {
  workers: ['heartbeat', 'workers', 'signOff'],
  meta: ['setMeta', 'getMeta'],
};

/**
 * A full StateStore around a backend's primitives (kysely's RuntimeDriver idea): the closed-store
 * guard, argument checks, cutting large batches, group commit of completions and turning library
 * errors into StoreErrors with hints live here once. Methods of a capability the backend lacks are
 * absent on the instance, as the StateStore interface makes them optional.
 */
export class StateStoreRuntime<Raw = unknown> implements StateStore {
  readonly raw: Raw;
  private closed = false;
  private readonly completions: GroupCommit;

  constructor(protected readonly backend: StateBackend<Raw>) {
    this.raw = backend.raw;
    this.completions = new GroupCommit(
      (take) => this.wrapFaults(() => backend.complete(take)),
      backend.maxBatch,
    );
    for (const [capability, methods] of Object.entries(OPTIONAL)) {
      if (backend.capabilities[capability as keyof typeof OPTIONAL]) continue;
      for (const method of methods) Object.defineProperty(this, method, { value: undefined });
    }
  }

  async add(ids: readonly string[], options: AddOptions = {}): Promise<number> {
    this.ensureOpen();
    const unique = checkNewIds(ids);
    const to = options.to ?? 'pending';
    checkAddTarget(to);
    const depth = options.depth ?? 0;
    return eachChunk(unique, this.backend.maxBatch, (part) =>
      this.wrapFaults(() => this.backend.add(part, to, depth, options.recrawl === true)),
    );
  }

  async promote(n: number): Promise<number> {
    this.ensureOpen();
    const wanted = checkCount(n, 'count');
    return untilShort(wanted, this.backend.maxBatch, (want) =>
      this.wrapFaults(() => this.backend.promote(want)),
    );
  }

  async claim(owner: string, n: number, leaseMs: number, options: ClaimOptions = {}): Promise<Lease[]> {
    this.ensureOpen();
    checkOwner(owner);
    checkLeaseMs(leaseMs);
    const wanted = checkCount(n, 'claim size');
    if (options.now !== undefined) checkTime(options.now, 'clock');
    if (wanted === 0) return [];
    const dueNow = options.due === true ? (options.now ?? Date.now()) : undefined;
    return this.wrapFaults(() => this.backend.claim(owner, wanted, leaseMs, dueNow));
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void> {
    this.ensureOpen();
    checkOwner(owner);
    checkLeaseMs(leaseMs);
    await eachChunk(checkIdList(ids), this.backend.maxBatch, async (part) => {
      await this.wrapFaults(() => this.backend.renew(owner, part, leaseMs));
      return 0;
    });
  }

  async complete(
    owner: string,
    id: string,
    outcome: Outcome,
    reason?: string,
    options: CompleteOptions = {},
  ): Promise<boolean> {
    this.ensureOpen();
    checkOwner(owner);
    checkIdList([id]);
    checkOutcome(outcome);
    if (options.dueAt !== undefined) checkTime(options.dueAt, 'due time');
    const completion: Completion = { owner, id, outcome };
    if (reason !== undefined) completion.reason = reason;
    // A failed ID waits for retryFailed, not for a refresh.
    if (options.dueAt !== undefined && outcome !== 'failed') completion.dueAt = options.dueAt;
    return this.completions.push(completion);
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    this.ensureOpen();
    checkOwner(owner);
    // Each part goes to the head of pending: the last part first keeps the whole list in order.
    const unique = checkIdList(ids);
    await eachChunk(
      unique,
      this.backend.maxBatch,
      async (part) => {
        await this.wrapFaults(() => this.backend.release(owner, part));
        return 0;
      },
      true,
    );
  }

  async releaseOwner(owner: string): Promise<number> {
    this.ensureOpen();
    checkOwner(owner);
    return this.wrapFaults(() => this.backend.releaseOwner(owner));
  }

  async retryFailed(from: RetrySet = 'failed'): Promise<number> {
    this.ensureOpen();
    checkRetrySet(from);
    return untilShort(Number.POSITIVE_INFINITY, this.backend.maxBatch, (n) =>
      this.wrapFaults(() => this.backend.retryFailed(from, n)),
    );
  }

  async remove(ids: readonly string[]): Promise<number> {
    this.ensureOpen();
    return eachChunk(checkIdList(ids), this.backend.maxBatch, (part) =>
      this.wrapFaults(() => this.backend.remove(part)),
    );
  }

  async counts(): Promise<SetCounts> {
    this.ensureOpen();
    return this.wrapFaults(() => this.backend.counts());
  }

  async dueSummary(now: number = Date.now()): Promise<DueSummary> {
    this.ensureOpen();
    checkTime(now, 'clock');
    return this.wrapFaults(() => this.backend.dueSummary(now));
  }

  async list(set: IdSet, options: { limit?: number; after?: string } = {}): Promise<IdRecord[]> {
    this.ensureOpen();
    checkSet(set);
    const limit = Math.max(0, options.limit ?? 100);
    if (limit === 0) return [];
    const entries = await this.wrapFaults(() => this.backend.list(set, limit, options.after));
    return entries.map((entry) => toIdRecord(entry.id, entry.record));
  }

  async get(id: string): Promise<IdRecord | undefined> {
    this.ensureOpen();
    checkIdList([id]);
    const record = await this.wrapFaults(() => this.backend.get(id));
    return record ? toIdRecord(id, record) : undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    this.ensureOpen();
    await this.wrapFaults(() => this.backend.setMeta!(key, value));
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    this.ensureOpen();
    return (await this.wrapFaults(() => this.backend.getMeta!(key))) as T | undefined;
  }

  async heartbeat(info: WorkerInfo): Promise<void> {
    this.ensureOpen();
    await this.wrapFaults(() => this.backend.heartbeat!(info));
  }

  async workers(): Promise<WorkerInfo[]> {
    this.ensureOpen();
    return this.wrapFaults(() => this.backend.workers!());
  }

  async signOff(workerId: string): Promise<void> {
    this.ensureOpen();
    await this.wrapFaults(() => this.backend.signOff!(workerId));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close();
  }

  protected ensureOpen(): void {
    if (this.closed) throw new StoreError(`${this.backend.label} is closed`);
  }

  /** Runs one backend call; whatever it throws leaves as a CrawlError. */
  protected async wrapFaults<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStoreFault(error, this.backend.label, this.backend.classifyError?.bind(this.backend));
    }
  }
}
