import type Keyv from 'keyv';
import type { CrawlError } from '../../core/errors.js';
import { StoreError } from '../../core/errors.js';
import type { DueSummary, IdSet, Lease, RetrySet, SetCounts, WorkerInfo } from '../../core/state-store.js';
import {
  type Completion,
  firstLine,
  leaseOf,
  type StateBackend,
  type StoredEntry,
} from '../../core/state-store-runtime/index.js';
import { isSqliteAdapter, type SqliteLikeAdapter } from '../keyv-sqlite-tuning.js';
import { type Mutex, mutexFor } from '../mutex.js';
import { sqliteFault } from '../store-fault.js';
import { takeDue } from './due-claim.js';
import { schedule, scheduleKeys, summarizeDue } from './due-index.js';
import {
  enter,
  isCurrent,
  leave,
  readEntries,
  requeueAtHead,
  settleHead,
  type Taken,
  takeFromHead,
} from './lists.js';
import { transaction } from './transaction.js';
import { itemKey, type KeyvRecord, metaKey, ownerList, recKey, type Work } from './work.js';

const CHUNK = 2000;
const FINAL_SETS: ReadonlySet<IdSet> = new Set<IdSet>(['done', 'notfound', 'failed']);

/**
 * The state primitives on any Keyv store. Each call is one unit of work (see transaction.ts): atomic
 * within a process, and on a SQLite file across processes too. Other Keyv backends are safe for one
 * process only.
 */
export class KeyvStateBackend implements StateBackend<Keyv> {
  readonly capabilities = { workers: true, meta: true };
  readonly maxBatch = CHUNK;
  private readonly mutex: Mutex;
  private readonly sqlite?: SqliteLikeAdapter;

  constructor(
    readonly raw: Keyv,
    readonly label: string,
    private readonly ownsKeyv: boolean,
    private readonly workerTtlMs = 30_000,
  ) {
    raw.throwOnErrors = true;
    const store = raw.store as unknown;
    this.sqlite = isSqliteAdapter(store) ? store : undefined;
    this.mutex = mutexFor(store as object);
  }

  /** One unit of work; `write: false` reads only. */
  run<T>(body: (work: Work) => Promise<T>, write = true): Promise<T> {
    return transaction(this.raw, this.mutex, this.sqlite, body, write);
  }

  add(ids: readonly string[], to: 'backlog' | 'pending', depth: number, recrawl: boolean): Promise<number> {
    return this.run(async (work) => {
      await work.prefetch([to], true);
      const recs = await work.records(ids);
      const now = Date.now();
      let count = 0;
      for (let j = 0; j < ids.length; j++) {
        const rec = recs[j];
        const fresh = { set: to, attempts: 0, updatedAt: now };
        if (!rec) {
          await enter(work, ids[j], { ...fresh, depth }, to, 'tail', now);
          count++;
        } else if (recrawl && FINAL_SETS.has(rec.set)) {
          await leave(work, rec);
          await enter(work, ids[j], { ...fresh, depth: rec.depth }, to, 'tail', now);
          count++;
        }
      }
      return count;
    });
  }

  promote(n: number): Promise<number> {
    return this.moveAll('backlog', n, (rec, now) => ({ ...rec, updatedAt: now }));
  }

  retryFailed(from: RetrySet, n: number): Promise<number> {
    return this.moveAll(from, n, (rec, now) => ({
      set: 'pending',
      attempts: 0,
      depth: rec.depth,
      updatedAt: now,
    }));
  }

  claim(owner: string, n: number, leaseMs: number, dueNow?: number): Promise<Lease[]> {
    return this.run(async (work) => {
      const mine = ownerList(owner);
      await work.prefetch(['leased', 'pending', mine], true);
      const now = Date.now();
      const expired = await takeFromHead(
        work,
        'leased',
        n,
        (t) => (t.rec.leaseExpiresAt ?? 0) <= now,
        Math.max(4 * n, 256),
        CHUNK,
      );
      const fresh = await takeFromHead(work, 'pending', n - expired.length, () => true, Infinity, CHUNK);
      const wantDue = n - expired.length - fresh.length;
      const due = dueNow === undefined ? [] : await takeDue(work, wantDue, dueNow);
      await settleHead(work, mine, 2 * n + 64);
      const leases: Lease[] = [];
      for (const t of [...expired, ...fresh, ...due]) {
        await leave(work, t.rec);
        const rec: KeyvRecord = {
          ...t.rec,
          attempts: t.rec.attempts + 1,
          updatedAt: now,
          owner,
          leaseExpiresAt: now + leaseMs,
        };
        rec.enqueuedAt ??= now;
        await enter(work, t.id, rec, 'leased', 'tail', now);
        leases.push(leaseOf(t.id, rec));
      }
      // Refreshes leave holes in done and notfound, roughly in the order they were written there.
      for (const set of new Set(due.map((t) => t.rec.set))) await settleHead(work, set, 2 * n + 64);
      return leases;
    });
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void> {
    await this.run(async (work) => {
      await work.prefetch(['leased'], true);
      const recs = await work.records(ids);
      const now = Date.now();
      for (let i = 0; i < ids.length; i++) {
        const rec = recs[i];
        if (rec?.set !== 'leased' || rec.owner !== owner) continue;
        // Moving the entry to the tail keeps the lease list roughly ordered by expiry.
        work.delete(itemKey('leased', rec.index));
        const leaseExpiresAt = now + leaseMs;
        const index = (await work.list('leased')).t++;
        work.set(itemKey('leased', index), { i: ids[i], x: leaseExpiresAt });
        work.set(recKey(ids[i]), { ...rec, index, leaseExpiresAt, updatedAt: now } satisfies KeyvRecord);
      }
    });
  }

  complete(take: () => readonly Completion[]): Promise<boolean[]> {
    return this.run(async (work) => {
      const batch = take();
      const outcomes = [...new Set(batch.map((c) => c.outcome))];
      // List heads, counters and records in one round trip.
      const dueAts = batch.flatMap((c) => (c.dueAt === undefined || c.outcome === 'failed' ? [] : [c.dueAt]));
      await work.getMany([
        ...outcomes.map(metaKey),
        'C',
        ...scheduleKeys(dueAts),
        ...batch.map((c) => recKey(c.id)),
      ]);
      const now = Date.now();
      const results: boolean[] = [];
      for (const c of batch) {
        const rec = await work.record(c.id);
        if (rec?.set !== 'leased' || rec.owner !== c.owner) {
          results.push(false);
          continue;
        }
        await leave(work, rec);
        const next: Omit<KeyvRecord, 'index'> = {
          set: c.outcome,
          attempts: rec.attempts,
          depth: rec.depth,
          updatedAt: now,
        };
        if (rec.enqueuedAt !== undefined) next.enqueuedAt = rec.enqueuedAt;
        if (c.reason !== undefined) next.reason = c.reason;
        const written = await enter(work, c.id, next, c.outcome, 'tail', now);
        if (c.dueAt !== undefined && c.outcome !== 'failed') await schedule(work, c.id, written, c.dueAt);
        results.push(true);
      }
      return results;
    });
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    await this.run(async (work) => {
      await work.prefetch(['pending'], true);
      const recs = await work.records(ids);
      const held: Taken[] = [];
      ids.forEach((id, i) => {
        const rec = recs[i];
        if (rec && rec.set === 'leased' && rec.owner === owner) held.push({ id, rec });
      });
      await requeueAtHead(work, held);
    });
  }

  releaseOwner(owner: string): Promise<number> {
    return this.run(async (work) => {
      const mine = ownerList(owner);
      await work.prefetch(['pending', mine], true);
      const meta = await work.list(mine);
      const held: Taken[] = [];
      for (let start = meta.h; start < meta.t; start += CHUNK) {
        for (const entry of await readEntries(work, mine, start, Math.min(meta.t, start + CHUNK))) {
          work.delete(itemKey(mine, entry.idx));
          const rec = entry.rec;
          if (rec && rec.set === 'leased' && rec.owner === owner && rec.ownerIndex === entry.idx) {
            held.push({ id: entry.id, rec });
          }
        }
      }
      meta.h = meta.t;
      await requeueAtHead(work, held);
      return held.length;
    });
  }

  /** Takes IDs out of whichever set holds them (a lease too: its worker's completion is then ignored). */
  remove(ids: readonly string[]): Promise<number> {
    return this.run(async (work) => {
      const recs = await work.records(ids);
      let n = 0;
      for (let k = 0; k < ids.length; k++) {
        const rec = recs[k];
        if (!rec) continue;
        await leave(work, rec);
        work.delete(recKey(ids[k]));
        n++;
      }
      return n;
    });
  }

  counts(): Promise<SetCounts> {
    return this.run(async (work) => ({ ...(await work.counts()) }), false);
  }

  dueSummary(now: number): Promise<DueSummary> {
    return this.run((work) => summarizeDue(work, now), false);
  }

  list(set: IdSet, limit: number, after: string | undefined): Promise<StoredEntry[]> {
    return this.run(async (work) => {
      const meta = await work.list(set);
      let start = meta.h;
      if (after !== undefined) {
        const rec = await work.record(after);
        // The cursor ID left the set: its place is lost, and restarting would repeat IDs.
        if (!rec || rec.set !== set) return [];
        start = Math.max(start, rec.index + 1);
      }
      const out: StoredEntry[] = [];
      while (out.length < limit && start < meta.t) {
        const end = Math.min(meta.t, start + Math.max(limit * 2, 64));
        for (const entry of await readEntries(work, set, start, end)) {
          if (out.length < limit && isCurrent(entry, set)) out.push({ id: entry.id, record: entry.rec });
        }
        start = end;
      }
      return out;
    }, false);
  }

  get(id: string): Promise<KeyvRecord | undefined> {
    return this.run((work) => work.record(id), false);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.run(async (work) => {
      if (value === undefined) work.delete(`M:${key}`);
      else work.set(`M:${key}`, value);
    });
  }

  getMeta(key: string): Promise<unknown> {
    return this.run((work) => work.get(`M:${key}`), false);
  }

  /** Records a worker's heartbeat (processes sharing one SQLite file see each other). */
  async heartbeat(info: WorkerInfo): Promise<void> {
    await this.run(async (work) => {
      const all = (await work.get<Record<string, WorkerInfo>>('W')) ?? {};
      // Forget workers silent for long, so the map stays small however many runs there were.
      const forget = Date.now() - 100 * this.workerTtlMs;
      for (const [id, worker] of Object.entries(all)) if (worker.lastSeen < forget) delete all[id];
      all[info.workerId] = { ...info };
      work.set('W', all);
    });
  }

  async signOff(workerId: string): Promise<void> {
    await this.run(async (work) => {
      const all = (await work.get<Record<string, WorkerInfo>>('W')) ?? {};
      if (!(workerId in all)) return;
      delete all[workerId];
      work.set('W', all);
    });
  }

  /** Workers whose last heartbeat is younger than the TTL. */
  async workers(): Promise<WorkerInfo[]> {
    const all = await this.run((work) => work.get<Record<string, WorkerInfo>>('W'), false);
    const cutoff = Date.now() - this.workerTtlMs;
    return Object.values(all ?? {}).filter((worker) => worker.lastSeen >= cutoff);
  }

  /** A SQLite file is judged by its SQLITE_… code (damaged and full are fatal, locked is not). */
  classifyError(error: unknown): CrawlError {
    if (this.sqlite) return sqliteFault(error, 'state store', this.label, 'update the state');
    return new StoreError(`state store ${this.label} failed: ${firstLine(error)}`, {
      cause: error,
      hint: 'check the disk (space, permissions) and that no other program holds the file',
    });
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      if (this.ownsKeyv) await this.raw.disconnect();
    });
  }

  /** Moves up to n IDs from the head of `from` to the tail of pending, each record as `next` makes it. */
  private moveAll(
    from: IdSet,
    n: number,
    next: (rec: KeyvRecord, now: number) => Omit<KeyvRecord, 'index'>,
  ): Promise<number> {
    return this.run(async (work) => {
      await work.prefetch([from, 'pending'], true);
      const taken = await takeFromHead(work, from, n, () => true, Infinity, CHUNK);
      const now = Date.now();
      for (const t of taken) {
        await leave(work, t.rec);
        await enter(work, t.id, next(t.rec, now), 'pending', 'tail', now);
      }
      return taken.length;
    });
  }
}
