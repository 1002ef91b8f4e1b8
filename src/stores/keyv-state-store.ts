import Keyv from 'keyv';
import { CrawlError, InvalidInputError, StoreError } from '../core/errors.js';
import type {
  AddOptions,
  IdRecord,
  IdSet,
  Lease,
  RetrySet,
  SetCounts,
  StateStore,
  WorkerInfo,
} from '../core/state-store.js';
import { ID_SETS } from '../core/state-store.js';
import {
  isSqliteAdapter,
  replaceConnection,
  type SqliteLikeAdapter,
  tuneSqliteAdapter,
} from './keyv-sqlite-tuning.js';
import { type Mutex, mutexFor } from './mutex.js';
import { foreignFile, prepareSqliteFile, readSqliteTables } from './sqlite-file-guard.js';
import { sqliteFault } from './store-fault.js';

/*
 * Layout (every key below lives in the Keyv namespace):
 *   R:<id>            the ID's record: which set it is in and its index in that set's list
 *   L:<list>          a list's head/tail indexes; lists are the six sets and one per lease owner
 *   I:<list>:<index>  one list entry: the ID (and, for leases, the expiry)
 *   C                 the six counters
 *   M:<key>           free-form metadata (the CLI's `status`)
 * An entry is deleted whenever its ID leaves the list, so lists are deques with holes: heads skip
 * holes lazily, claims and counts never scan all IDs, and a record always says where its ID is.
 */

interface Rec {
  /** Set. */
  s: IdSet;
  /** Index of the entry in the set's list. */
  q: number;
  /** Claims so far. */
  a: number;
  /** Depth. */
  d: number;
  /** Updated at. */
  u: number;
  /** Entered pending at. */
  e?: number;
  /** Failure reason. */
  r?: string;
  /** Lease owner, expiry and index in the owner's list. */
  o?: string;
  x?: number;
  oi?: number;
}

interface ListMeta {
  h: number;
  t: number;
}

interface Item {
  i: string;
  x?: number;
}

interface PendingCompletion {
  owner: string;
  id: string;
  outcome: 'done' | 'notfound' | 'failed';
  reason?: string;
  resolve(done: boolean): void;
  reject(error: unknown): void;
}

interface Taken {
  id: string;
  idx: number;
  item: Item;
  rec: Rec;
}

const FORMAT_KEY = '__csdn-crawl-state';
const FORMAT_VERSION = 1;
const CHUNK = 2000;
const FINAL_SETS: ReadonlySet<IdSet> = new Set<IdSet>(['done', 'notfound', 'failed']);

const recKey = (id: string) => `R:${id}`;
const metaKey = (list: string) => `L:${list}`;
const itemKey = (list: string, idx: number) => `I:${list}:${idx}`;
const ownerList = (owner: string) => `o:${owner}`;

function zeroCounts(): SetCounts {
  return { backlog: 0, pending: 0, leased: 0, done: 0, notfound: 0, failed: 0 };
}

/** Reads through a cache and buffers writes; `commit` sends them as one setMany and one deleteMany. */
class Work {
  /** Known values; `undefined` means known to be absent (or deleted in this unit of work). */
  private readonly values = new Map<string, unknown>();
  private readonly dirty = new Set<string>();
  private counters?: SetCounts;
  private readonly lists = new Map<string, ListMeta>();

  constructor(private readonly keyv: Keyv) {}

  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    const missing = [...new Set(keys.filter((key) => !this.values.has(key)))];
    if (missing.length > 0) {
      const fetched = await this.keyv.getMany<T>(missing);
      missing.forEach((key, i) => {
        this.values.set(key, fetched[i] ?? undefined);
      });
    }
    return keys.map((key) => this.values.get(key) as T | undefined);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.getMany<T>([key]))[0];
  }

  /** Whether the key was read or written in this unit of work and found absent. */
  knownAbsent(key: string): boolean {
    return this.values.has(key) && this.values.get(key) === undefined;
  }

  set(key: string, value: unknown): void {
    this.values.set(key, value);
    this.dirty.add(key);
  }

  delete(key: string): void {
    this.values.set(key, undefined);
    this.dirty.add(key);
  }

  /** Loads list heads and the counters in one round trip. */
  async prefetch(lists: readonly string[], counts: boolean): Promise<void> {
    const keys = lists.map(metaKey);
    if (counts) keys.push('C');
    await this.getMany(keys);
  }

  async list(name: string): Promise<ListMeta> {
    let meta = this.lists.get(name);
    if (!meta) {
      const stored = await this.get<ListMeta>(metaKey(name));
      meta = stored ? { h: stored.h, t: stored.t } : { h: 0, t: 0 };
      this.lists.set(name, meta);
    }
    return meta;
  }

  async counts(): Promise<SetCounts> {
    if (!this.counters) this.counters = { ...zeroCounts(), ...(await this.get<SetCounts>('C')) };
    return this.counters;
  }

  async commit(): Promise<void> {
    for (const [name, meta] of this.lists) this.set(metaKey(name), meta);
    if (this.counters) this.set('C', this.counters);
    const sets: { key: string; value: unknown }[] = [];
    const deletes: string[] = [];
    for (const key of this.dirty) {
      const value = this.values.get(key);
      if (value === undefined) deletes.push(key);
      else sets.push({ key, value });
    }
    if (sets.length > 0) {
      const results = await this.keyv.setMany(sets);
      if (results.some((ok) => ok === false)) throw new StoreError('the state store refused a write');
    }
    if (deletes.length > 0) await this.keyv.deleteMany(deletes);
    this.dirty.clear();
  }
}

export interface KeyvStateStoreOptions {
  /** Any Keyv instance (its namespace is used). Wins over `path`. */
  keyv?: Keyv;
  /** A SQLite file, opened through @keyv/sqlite. */
  path?: string;
  /** Keyv namespace when the store creates the Keyv; default `csdn-crawl`. */
  namespace?: string;
  /** How long a writer waits for another process's transaction on the SQLite file; default 15 s. */
  busyTimeoutMs?: number;
  /** Heartbeats older than this are not listed by `workers()`; default 30 s. */
  workerTtlMs?: number;
}

/**
 * The ID sets on any Keyv store. Operations are atomic within a process (one queue per underlying
 * store); on a SQLite file each operation is also one `BEGIN IMMEDIATE` transaction, so several
 * processes may share the file. Other Keyv backends are safe for one process only.
 */
export class KeyvStateStore implements StateStore {
  readonly raw: Keyv;
  private readonly mutex: Mutex;
  private readonly sqlite?: SqliteLikeAdapter;
  private closed = false;
  private readonly completions: PendingCompletion[] = [];
  private completionsScheduled = false;

  constructor(
    keyv: Keyv,
    private readonly label: string,
    private readonly ownsKeyv: boolean,
    private readonly workerTtlMs = 30_000,
  ) {
    this.raw = keyv;
    keyv.throwOnErrors = true;
    const store = keyv.store as unknown;
    this.sqlite = isSqliteAdapter(store) ? store : undefined;
    this.mutex = mutexFor(store as object);
  }

  /** Writes the format marker on a new store, or checks it on an existing one. */
  async init(): Promise<void> {
    await this.transaction(async (work) => {
      const format = await work.get<{ version: number }>(FORMAT_KEY);
      if (!format) {
        work.set(FORMAT_KEY, { app: 'csdn-crawl', kind: 'state', version: FORMAT_VERSION });
      } else if (format.version !== FORMAT_VERSION) {
        throw new StoreError(
          `${this.label} holds state format ${format.version}, this version reads ${FORMAT_VERSION}`,
          {
            hint: 'use the csdn-crawl version that wrote it, or start a new state file',
          },
        );
      }
    });
  }

  async add(ids: readonly string[], options: AddOptions = {}): Promise<number> {
    const to = options.to ?? 'pending';
    const depth = options.depth ?? 0;
    for (const id of ids) {
      if (typeof id !== 'string' || id.length === 0) {
        throw new InvalidInputError(`invalid ID ${JSON.stringify(id)}: IDs are non-empty strings`);
      }
    }
    const unique = [...new Set(ids)];
    let added = 0;
    for (let i = 0; i < unique.length; i += CHUNK) {
      const part = unique.slice(i, i + CHUNK);
      added += await this.transaction(async (work) => {
        await work.prefetch([to], true);
        const recs = await work.getMany<Rec>(part.map(recKey));
        const now = Date.now();
        let count = 0;
        for (let j = 0; j < part.length; j++) {
          const id = part[j];
          const rec = recs[j];
          if (!rec) {
            await this.enter(work, id, { s: to, q: 0, a: 0, d: depth, u: now }, to, 'tail', now);
            count++;
          } else if (options.recrawl && FINAL_SETS.has(rec.s)) {
            await this.leave(work, rec);
            await this.enter(work, id, { s: to, q: 0, a: 0, d: rec.d, u: now }, to, 'tail', now);
            count++;
          }
        }
        return count;
      });
    }
    return added;
  }

  async promote(n: number): Promise<number> {
    let moved = 0;
    while (moved < n) {
      const want = Math.min(CHUNK, n - moved);
      const got = await this.transaction(async (work) => {
        await work.prefetch(['backlog', 'pending'], true);
        const taken = await this.takeFromHead(work, 'backlog', want, () => true, Number.POSITIVE_INFINITY);
        const now = Date.now();
        for (const t of taken) {
          await this.leave(work, t.rec);
          await this.enter(work, t.id, { ...t.rec, u: now }, 'pending', 'tail', now);
        }
        return taken.length;
      });
      moved += got;
      if (got < want) break;
    }
    return moved;
  }

  async claim(owner: string, n: number, leaseMs: number): Promise<Lease[]> {
    if (n <= 0) return [];
    return this.transaction(async (work) => {
      const mine = ownerList(owner);
      await work.prefetch(['leased', 'pending', mine], true);
      const now = Date.now();
      const expired = await this.takeFromHead(
        work,
        'leased',
        n,
        (t) => (t.rec.x ?? 0) <= now,
        Math.max(4 * n, 256),
      );
      const fresh = await this.takeFromHead(
        work,
        'pending',
        n - expired.length,
        () => true,
        Number.POSITIVE_INFINITY,
      );
      await this.settleOwnerHead(work, mine, 2 * n + 64);
      const leases: Lease[] = [];
      for (const t of [...expired, ...fresh]) {
        await this.leave(work, t.rec);
        const expiresAt = now + leaseMs;
        const rec: Rec = { ...t.rec, a: t.rec.a + 1, u: now, o: owner, x: expiresAt };
        rec.e ??= now;
        await this.enter(work, t.id, rec, 'leased', 'tail', now);
        leases.push({
          id: t.id,
          owner,
          expiresAt,
          attempts: t.rec.a,
          enqueuedAt: rec.e,
          depth: rec.d,
        });
      }
      return leases;
    });
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.transaction(async (work) => {
      await work.prefetch(['leased'], true);
      const unique = [...new Set(ids)];
      const recs = await work.getMany<Rec>(unique.map(recKey));
      const now = Date.now();
      for (let i = 0; i < unique.length; i++) {
        const rec = recs[i];
        if (rec?.s !== 'leased' || rec.o !== owner) continue;
        // Moving the entry to the tail keeps the lease list roughly ordered by expiry.
        work.delete(itemKey('leased', rec.q));
        const expiresAt = now + leaseMs;
        const meta = await work.list('leased');
        const q = meta.t++;
        work.set(itemKey('leased', q), { i: unique[i], x: expiresAt } satisfies Item);
        work.set(recKey(unique[i]), { ...rec, q, x: expiresAt, u: now } satisfies Rec);
      }
    });
  }

  /**
   * Completions that arrive while a transaction runs are written together in the next one (group
   * commit): with a worker pool finishing users in parallel, one transaction carries many IDs.
   */
  complete(
    owner: string,
    id: string,
    outcome: 'done' | 'notfound' | 'failed',
    reason?: string,
  ): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.completions.push({ owner, id, outcome, reason, resolve, reject });
      if (this.completionsScheduled) return;
      this.completionsScheduled = true;
      let batch: PendingCompletion[] = [];
      this.transaction(async (work) => {
        this.completionsScheduled = false;
        batch = this.completions.splice(0);
        const outcomes = [...new Set(batch.map((c) => c.outcome))];
        await work.getMany([...outcomes.map((o) => `L:${o}`), 'C', ...batch.map((c) => recKey(c.id))]);
        const now = Date.now();
        const results: boolean[] = [];
        for (const c of batch) {
          const rec = await work.get<Rec>(recKey(c.id));
          if (rec?.s !== 'leased' || rec.o !== c.owner) {
            results.push(false);
            continue;
          }
          await this.leave(work, rec);
          const next: Rec = { s: c.outcome, q: 0, a: rec.a, d: rec.d, u: now, e: rec.e };
          if (c.reason !== undefined) next.r = c.reason;
          await this.enter(work, c.id, next, c.outcome, 'tail', now);
          results.push(true);
        }
        return results;
      }).then(
        (results) => {
          batch.forEach((c, i) => {
            c.resolve(results[i]);
          });
        },
        (error: unknown) => {
          // A failure before the batch was taken leaves the completions queued: fail them too.
          if (batch.length === 0) {
            batch = this.completions.splice(0);
            this.completionsScheduled = false;
          }
          for (const c of batch) c.reject(error);
        },
      );
    });
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.transaction(async (work) => {
      await work.prefetch(['pending'], true);
      const unique = [...new Set(ids)];
      const recs = await work.getMany<Rec>(unique.map(recKey));
      const held: Taken[] = [];
      unique.forEach((id, i) => {
        const rec = recs[i];
        if (rec && rec.s === 'leased' && rec.o === owner) held.push({ id, idx: rec.q, item: { i: id }, rec });
      });
      await this.requeueAtHead(work, held);
    });
  }

  async releaseOwner(owner: string): Promise<number> {
    return this.transaction(async (work) => {
      const mine = ownerList(owner);
      await work.prefetch(['pending', mine], true);
      const meta = await work.list(mine);
      const held: Taken[] = [];
      for (let start = meta.h; start < meta.t; start += CHUNK) {
        const end = Math.min(meta.t, start + CHUNK);
        const keys: string[] = [];
        for (let idx = start; idx < end; idx++) keys.push(itemKey(mine, idx));
        const items = await work.getMany<Item>(keys);
        const present = items.map((item, k) => ({ item, idx: start + k })).filter((p) => p.item);
        const recs = await work.getMany<Rec>(present.map((p) => recKey(p.item!.i)));
        present.forEach((p, k) => {
          const rec = recs[k];
          work.delete(itemKey(mine, p.idx));
          if (rec && rec.s === 'leased' && rec.o === owner && rec.oi === p.idx) {
            held.push({ id: p.item!.i, idx: rec.q, item: p.item!, rec });
          }
        });
      }
      meta.h = meta.t;
      await this.requeueAtHead(work, held);
      return held.length;
    });
  }

  async retryFailed(from: RetrySet = 'failed'): Promise<number> {
    let moved = 0;
    for (;;) {
      const got = await this.transaction(async (work) => {
        await work.prefetch([from, 'pending'], true);
        const taken = await this.takeFromHead(work, from, CHUNK, () => true, Number.POSITIVE_INFINITY);
        const now = Date.now();
        for (const t of taken) {
          await this.leave(work, t.rec);
          await this.enter(
            work,
            t.id,
            { s: 'pending', q: 0, a: 0, d: t.rec.d, u: now },
            'pending',
            'tail',
            now,
          );
        }
        return taken.length;
      });
      moved += got;
      if (got < CHUNK) return moved;
    }
  }

  /** Takes IDs out of whichever set holds them (a lease too: its worker's completion is then ignored). */
  async remove(ids: readonly string[]): Promise<number> {
    const unique = [...new Set(ids)];
    let removed = 0;
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      removed += await this.transaction(async (work) => {
        const recs = await work.getMany<Rec>(chunk.map(recKey));
        let n = 0;
        for (let k = 0; k < chunk.length; k++) {
          const rec = recs[k];
          if (!rec) continue;
          await this.leave(work, rec);
          work.delete(recKey(chunk[k]));
          n++;
        }
        return n;
      });
    }
    return removed;
  }

  async counts(): Promise<SetCounts> {
    return this.transaction(async (work) => ({ ...(await work.counts()) }), false);
  }

  async list(set: IdSet, options: { limit?: number; after?: string } = {}): Promise<IdRecord[]> {
    if (!ID_SETS.includes(set)) throw new InvalidInputError(`unknown ID set "${set}"`);
    const limit = Math.max(0, options.limit ?? 100);
    return this.transaction(async (work) => {
      const meta = await work.list(set);
      let start = meta.h;
      if (options.after !== undefined) {
        const rec = await work.get<Rec>(recKey(options.after));
        // The cursor ID left the set: its place is lost, and restarting would repeat IDs.
        if (!rec || rec.s !== set) return [];
        start = Math.max(start, rec.q + 1);
      }
      const out: IdRecord[] = [];
      while (out.length < limit && start < meta.t) {
        const end = Math.min(meta.t, start + Math.max(limit * 2, 64));
        const keys: string[] = [];
        for (let idx = start; idx < end; idx++) keys.push(itemKey(set, idx));
        const items = await work.getMany<Item>(keys);
        const present = items.map((item, k) => ({ item, idx: start + k })).filter((p) => p.item);
        const recs = await work.getMany<Rec>(present.map((p) => recKey(p.item!.i)));
        for (let k = 0; k < present.length && out.length < limit; k++) {
          const rec = recs[k];
          if (rec && rec.s === set && rec.q === present[k].idx) out.push(toIdRecord(present[k].item!.i, rec));
        }
        start = end;
      }
      return out;
    }, false);
  }

  async get(id: string): Promise<IdRecord | undefined> {
    return this.transaction(async (work) => {
      const rec = await work.get<Rec>(recKey(id));
      return rec ? toIdRecord(id, rec) : undefined;
    }, false);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.transaction(async (work) => {
      if (value === undefined) work.delete(`M:${key}`);
      else work.set(`M:${key}`, value);
    });
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    return this.transaction((work) => work.get<T>(`M:${key}`), false);
  }

  /** Records a worker's heartbeat (processes sharing one SQLite file see each other). */
  async heartbeat(info: WorkerInfo): Promise<void> {
    await this.transaction(async (work) => {
      const all = (await work.get<Record<string, WorkerInfo>>('W')) ?? {};
      // Forget workers silent for long, so the map stays small however many runs there were.
      const forget = Date.now() - 100 * this.workerTtlMs;
      for (const [id, worker] of Object.entries(all)) if (worker.lastSeen < forget) delete all[id];
      all[info.workerId] = { ...info };
      work.set('W', all);
    });
  }

  async signOff(workerId: string): Promise<void> {
    await this.transaction(async (work) => {
      const all = (await work.get<Record<string, WorkerInfo>>('W')) ?? {};
      if (!(workerId in all)) return;
      delete all[workerId];
      work.set('W', all);
    });
  }

  /** Workers whose last heartbeat is younger than the TTL. */
  async workers(): Promise<WorkerInfo[]> {
    const all = await this.transaction((work) => work.get<Record<string, WorkerInfo>>('W'), false);
    const cutoff = Date.now() - this.workerTtlMs;
    return Object.values(all ?? {}).filter((worker) => worker.lastSeen >= cutoff);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.run(async () => {
      if (this.ownsKeyv) await this.raw.disconnect();
    });
  }

  // --- internals -------------------------------------------------------------------------------

  /** Removes the ID's entry from its current list (and from its owner's list) and counts it out. */
  private async leave(work: Work, rec: Rec): Promise<void> {
    work.delete(itemKey(rec.s, rec.q));
    if (rec.s === 'leased' && rec.o !== undefined && rec.oi !== undefined) {
      work.delete(itemKey(ownerList(rec.o), rec.oi));
    }
    (await work.counts())[rec.s]--;
  }

  /** Puts the ID into `set` at the head or tail of its list, writes the record and counts it in. */
  private async enter(
    work: Work,
    id: string,
    rec: Rec,
    set: IdSet,
    where: 'head' | 'tail',
    now: number,
    keepEnqueued = false,
  ): Promise<void> {
    const meta = await work.list(set);
    const q = where === 'tail' ? meta.t++ : --meta.h;
    const next: Rec = { ...rec, s: set, q };
    if (set === 'pending' && !(keepEnqueued && next.e)) next.e = now;
    if (set === 'leased') {
      const owned = await work.list(ownerList(next.o!));
      next.oi = owned.t++;
      work.set(itemKey(ownerList(next.o!), next.oi), { i: id } satisfies Item);
      work.set(itemKey(set, q), { i: id, x: next.x } satisfies Item);
    } else {
      delete next.o;
      delete next.x;
      delete next.oi;
      work.set(itemKey(set, q), { i: id } satisfies Item);
    }
    work.set(recKey(id), next);
    (await work.counts())[set]++;
  }

  /** Returns leases to the front of pending, keeping their order, so they are crawled next. */
  private async requeueAtHead(work: Work, held: Taken[]): Promise<void> {
    const now = Date.now();
    for (let k = held.length - 1; k >= 0; k--) {
      const t = held[k];
      await this.leave(work, t.rec);
      // Still the same request to crawl it: a result stored since it was enqueued answers it.
      await this.enter(work, t.id, { ...t.rec, u: now }, 'pending', 'head', now, true);
    }
  }

  /**
   * Takes up to `want` valid entries from the head of a set's list, reading at most `budget` entries.
   * Stale entries (the record says the ID is elsewhere) are deleted; the head moves past holes.
   */
  private async takeFromHead(
    work: Work,
    set: IdSet,
    want: number,
    accept: (t: Taken) => boolean,
    budget: number,
  ): Promise<Taken[]> {
    const taken: Taken[] = [];
    if (want <= 0) return taken;
    const meta = await work.list(set);
    let cursor = meta.h;
    while (taken.length < want && cursor < meta.t && cursor - meta.h < budget) {
      const end = Math.min(meta.t, cursor + Math.min(Math.max(2 * (want - taken.length), 64), CHUNK));
      const keys: string[] = [];
      for (let idx = cursor; idx < end; idx++) keys.push(itemKey(set, idx));
      const items = await work.getMany<Item>(keys);
      const present = items.map((item, k) => ({ item, idx: cursor + k })).filter((p) => p.item);
      const recs = await work.getMany<Rec>(present.map((p) => recKey(p.item!.i)));
      let stop = end;
      for (let k = 0; k < present.length; k++) {
        if (taken.length >= want) {
          stop = present[k].idx;
          break;
        }
        const rec = recs[k];
        const { item, idx } = present[k];
        if (!rec || rec.s !== set || rec.q !== idx) {
          work.delete(itemKey(set, idx));
          continue;
        }
        const candidate: Taken = { id: item!.i, idx, item: item!, rec };
        if (accept(candidate)) {
          taken.push(candidate);
          work.delete(itemKey(set, idx));
        }
      }
      cursor = stop;
    }
    while (meta.h < cursor && work.knownAbsent(itemKey(set, meta.h))) meta.h++;
    return taken;
  }

  /** Moves an owner list's head past entries of leases that ended, so `releaseOwner` stays short. */
  private async settleOwnerHead(work: Work, list: string, budget: number): Promise<void> {
    const meta = await work.list(list);
    const end = Math.min(meta.t, meta.h + budget);
    if (end <= meta.h) return;
    const keys: string[] = [];
    for (let idx = meta.h; idx < end; idx++) keys.push(itemKey(list, idx));
    await work.getMany(keys);
    while (meta.h < end && work.knownAbsent(itemKey(list, meta.h))) meta.h++;
  }

  private async transaction<T>(body: (work: Work) => Promise<T>, write = true): Promise<T> {
    if (this.closed) throw new StoreError(`${this.label} is closed`);
    return this.mutex.run(async () => {
      const sql = this.sqlite;
      try {
        const begin = sql?.query(write ? 'BEGIN IMMEDIATE' : 'BEGIN');
        begin?.catch(() => undefined);
        // On our own connection statements run in call order, so the reads may follow BEGIN at once;
        // nothing is written before BEGIN is confirmed, as writes wait in the Work until commit.
        if (begin && !sql?.batching) await begin;
        const batching = write ? sql?.batching : undefined;
        try {
          const work = new Work(this.raw);
          const result = await body(work);
          await begin;
          if (batching) {
            // The writes and the COMMIT travel in one round trip.
            batching.open();
            await work.commit();
            await batching.commit();
          } else {
            if (write) await work.commit();
            if (sql) await sql.query('COMMIT');
          }
          return result;
        } catch (error) {
          batching?.discard();
          if (sql) await sql.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } catch (error) {
        if (error instanceof CrawlError) throw error;
        // A SQLite file: classified by its SQLITE_… code (damaged and full are fatal, locked is not).
        if (this.sqlite) throw sqliteFault(error, 'state store', this.label, 'update the state');
        const message = error instanceof Error ? error.message : String(error);
        throw new StoreError(`state store ${this.label} failed: ${message.split('\n')[0]}`, {
          cause: error,
          hint: 'check the disk (space, permissions) and that no other program holds the file',
        });
      }
    });
  }
}

function toIdRecord(id: string, rec: Rec): IdRecord {
  const out: IdRecord = { id, set: rec.s, attempts: rec.a, depth: rec.d, updatedAt: rec.u };
  if (rec.r !== undefined) out.reason = rec.r;
  if (rec.s === 'leased') {
    out.owner = rec.o;
    out.expiresAt = rec.x;
  }
  return out;
}

/**
 * Opens the ID sets: on the given Keyv, on a SQLite file (`path`), or in memory (neither).
 * A file that is not SQLite, or SQLite that is not a state store, is refused and left untouched.
 */
export async function openKeyvStateStore(options: KeyvStateStoreOptions = {}): Promise<KeyvStateStore> {
  if (options.keyv) {
    const store = new KeyvStateStore(
      options.keyv,
      `Keyv store (namespace ${options.keyv.namespace ?? 'none'})`,
      false,
      options.workerTtlMs,
    );
    await store.init();
    return store;
  }
  const namespace = options.namespace ?? 'csdn-crawl';
  if (!options.path) {
    const store = new KeyvStateStore(
      new Keyv({ namespace, throwOnErrors: true }),
      'memory state store',
      true,
      options.workerTtlMs,
    );
    await store.init();
    return store;
  }
  const what = 'state store';
  const { file, existing } = await prepareSqliteFile(options.path, what);
  if (existing) await checkStateFile(file, what);
  const { KeyvSqlite } = await import('@keyv/sqlite');
  const adapter = new KeyvSqlite({
    uri: `sqlite://${file}`,
    busyTimeout: options.busyTimeoutMs ?? 15_000,
    // The adapter's iterator recurses once per page: a small page overflows the stack on big stores.
    iterationLimit: 10_000,
  });
  adapter.on('error', () => undefined);
  const sqlite = adapter as unknown as SqliteLikeAdapter & { close: () => Promise<void> };
  try {
    // Our own connection: PRAGMAs on the underlying database, and one round trip for writes + COMMIT.
    tuneSqliteAdapter(sqlite, await replaceConnection(sqlite, file, options.busyTimeoutMs ?? 15_000));
  } catch (error) {
    throw new StoreError(`cannot open the state store ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check the file and its directory permissions',
    });
  }
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: true });
  const store = new KeyvStateStore(keyv, file, true, options.workerTtlMs);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** A SQLite file is ours when it carries the marker, or is empty of anything another program made. */
async function checkStateFile(file: string, what: string): Promise<void> {
  let marked = false;
  let rows = 0;
  const tables = await readSqliteTables(file, what, (db) => {
    const hasKeyv = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keyv'").get();
    if (!hasKeyv) return;
    marked = !!db.prepare(`SELECT 1 FROM keyv WHERE key GLOB '*:${FORMAT_KEY}' LIMIT 1`).get();
    rows = (db.prepare('SELECT count(*) AS n FROM (SELECT 1 FROM keyv LIMIT 1)').get() as { n: number }).n;
  });
  if (marked) return;
  const own = tables.filter((name) => !name.startsWith('sqlite_'));
  if (own.length === 0 || (own.length === 1 && own[0] === 'keyv' && rows === 0)) return;
  throw foreignFile(file, what, 'is a SQLite database of another program (no csdn-crawl state in it)');
}
