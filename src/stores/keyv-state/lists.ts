import type { IdSet } from '../../core/state-store.js';
import { unschedule } from './due-index.js';
import { type Item, itemKey, type KeyvRecord, ownerList, recKey, type Work } from './work.js';

/** One entry of a list, with the record of its ID (undefined when the ID is gone). */
export interface Entry {
  id: string;
  idx: number;
  item: Item;
  rec: KeyvRecord | undefined;
}

/** A leased ID on its way back to pending. */
export interface Taken {
  id: string;
  rec: KeyvRecord;
}

/** The entries at indexes [start, end) of a list that are present (holes skipped), with their records. */
export async function readEntries(work: Work, list: string, start: number, end: number): Promise<Entry[]> {
  const keys: string[] = [];
  for (let idx = start; idx < end; idx++) keys.push(itemKey(list, idx));
  const items = await work.getMany<Item>(keys);
  const present = items
    .map((item, k) => ({ item, idx: start + k }))
    .filter((p): p is { item: Item; idx: number } => p.item !== undefined);
  const recs = await work.records(present.map((p) => p.item.i));
  return present.map((p, k) => ({ id: p.item.i, idx: p.idx, item: p.item, rec: recs[k] }));
}

/** Whether the entry is where its record says its ID is (else it is a stale leftover). */
export function isCurrent(entry: Entry, set: IdSet): entry is Entry & { rec: KeyvRecord } {
  return entry.rec !== undefined && entry.rec.set === set && entry.rec.index === entry.idx;
}

/**
 * Removes the ID's entry from its current list (and from its owner's list, and the due index) and
 * counts it out. Leaving done or notfound in any way unschedules the ID.
 */
export async function leave(work: Work, rec: KeyvRecord): Promise<void> {
  work.delete(itemKey(rec.set, rec.index));
  await unschedule(work, rec);
  if (rec.set === 'leased' && rec.owner !== undefined && rec.ownerIndex !== undefined) {
    work.delete(itemKey(ownerList(rec.owner), rec.ownerIndex));
  }
  (await work.counts())[rec.set]--;
}

/** Puts the ID into `set` at the head or tail of its list, writes the record and counts it in; resolves with it. */
export async function enter(
  work: Work,
  id: string,
  rec: Omit<KeyvRecord, 'index'>,
  set: IdSet,
  where: 'head' | 'tail',
  now: number,
  keepEnqueued = false,
): Promise<KeyvRecord> {
  const meta = await work.list(set);
  const index = where === 'tail' ? meta.t++ : --meta.h;
  const next: KeyvRecord = { ...rec, set, index };
  if (set === 'pending' && !(keepEnqueued && next.enqueuedAt)) next.enqueuedAt = now;
  if (set === 'leased') {
    const owned = await work.list(ownerList(next.owner!));
    next.ownerIndex = owned.t++;
    work.set(itemKey(ownerList(next.owner!), next.ownerIndex), { i: id } satisfies Item);
    work.set(itemKey(set, index), { i: id, x: next.leaseExpiresAt } satisfies Item);
  } else {
    delete next.owner;
    delete next.leaseExpiresAt;
    delete next.ownerIndex;
    work.set(itemKey(set, index), { i: id } satisfies Item);
  }
  work.set(recKey(id), next);
  (await work.counts())[set]++;
  return next;
}

/** Returns leases to the front of pending, keeping their order, so they are crawled next. */
export async function requeueAtHead(work: Work, held: Taken[]): Promise<void> {
  const now = Date.now();
  for (let k = held.length - 1; k >= 0; k--) {
    const t = held[k];
    await leave(work, t.rec);
    // Still the same request to crawl it: a result stored since it was enqueued answers it.
    await enter(work, t.id, { ...t.rec, updatedAt: now }, 'pending', 'head', now, true);
  }
}

/**
 * Takes up to `want` valid entries from the head of a set's list, reading at most `budget` entries.
 * Stale entries (the record says the ID is elsewhere) are deleted; the head moves past holes.
 */
export async function takeFromHead(
  work: Work,
  set: IdSet,
  want: number,
  accept: (entry: Entry & { rec: KeyvRecord }) => boolean,
  budget: number,
  chunk: number,
): Promise<Taken[]> {
  const taken: Taken[] = [];
  if (want <= 0) return taken;
  const meta = await work.list(set);
  let cursor = meta.h;
  while (taken.length < want && cursor < meta.t && cursor - meta.h < budget) {
    const end = Math.min(meta.t, cursor + Math.min(Math.max(2 * (want - taken.length), 64), chunk));
    const entries = await readEntries(work, set, cursor, end);
    let stop = end;
    for (const entry of entries) {
      if (taken.length >= want) {
        stop = entry.idx;
        break;
      }
      if (!isCurrent(entry, set)) {
        work.delete(itemKey(set, entry.idx));
        continue;
      }
      if (accept(entry)) {
        taken.push({ id: entry.id, rec: entry.rec });
        work.delete(itemKey(set, entry.idx));
      }
    }
    cursor = stop;
  }
  while (meta.h < cursor && work.knownAbsent(itemKey(set, meta.h))) meta.h++;
  return taken;
}

/**
 * Moves a list's head past entries that left it (leases that ended, so `releaseOwner` stays short;
 * refreshes taken from done, so `list` does not walk a growing run of holes).
 */
export async function settleHead(work: Work, list: string, budget: number): Promise<void> {
  const meta = await work.list(list);
  const end = Math.min(meta.t, meta.h + budget);
  if (end <= meta.h) return;
  const keys: string[] = [];
  for (let idx = meta.h; idx < end; idx++) keys.push(itemKey(list, idx));
  await work.getMany(keys);
  while (meta.h < end && work.knownAbsent(itemKey(list, meta.h))) meta.h++;
}
