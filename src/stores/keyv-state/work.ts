import type Keyv from 'keyv';
import { StoreError } from '../../core/errors.js';
import type { SetCounts } from '../../core/state-store.js';
import type { StateRecord } from '../../core/state-store-runtime/index.js';
import { decodeRecord } from '../state-record.js';

/*
 * Layout (every key below lives in the Keyv namespace):
 *   R:<id>            the ID's record: which set it is in and its index in that set's list
 *   L:<list>          a list's head/tail indexes {h, t}; lists are the six sets and one per lease owner
 *   I:<list>:<index>  one list entry {i: id, x?: lease expiry}
 *   C                 the six counters
 *   M:<key>           free-form metadata (the CLI's `status`);  W  the worker heartbeats
 *   D:…, N:…, DQ      the due index (due-index.ts); a store without them has nothing scheduled
 * An entry is deleted whenever its ID leaves the list, so lists are deques with holes: heads skip
 * holes lazily, claims and counts never scan all IDs, and a record always says where its ID is.
 * List heads and entries keep short names: there is one per ID and list, written on every move.
 */

/** A record of this store: always at a known place in its set's list. */
export type KeyvRecord = StateRecord & { index: number };

export interface ListMeta {
  h: number;
  t: number;
}

export interface Item {
  i: string;
  x?: number;
}

export const recKey = (id: string) => `R:${id}`;
export const metaKey = (list: string) => `L:${list}`;
export const itemKey = (list: string, idx: number) => `I:${list}:${idx}`;
export const ownerList = (owner: string) => `o:${owner}`;

export function zeroCounts(): SetCounts {
  return { backlog: 0, pending: 0, leased: 0, done: 0, notfound: 0, failed: 0 };
}

/** Reads through a cache and buffers writes; `commit` sends them as one setMany and one deleteMany. */
export class Work {
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

  /** The records of `ids`, in either spelling (see decodeRecord). */
  async records(ids: readonly string[]): Promise<(KeyvRecord | undefined)[]> {
    const stored = await this.getMany<unknown>(ids.map(recKey));
    return stored.map((value) => decodeRecord(value) as KeyvRecord | undefined);
  }

  async record(id: string): Promise<KeyvRecord | undefined> {
    return (await this.records([id]))[0];
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

  /** Drops a list that has no entries left: its head is deleted rather than written. */
  forgetList(name: string): void {
    this.lists.delete(name);
    this.delete(metaKey(name));
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
