import type { DueSummary } from '../../core/state-store.js';
import { itemKey, type KeyvRecord, metaKey, recKey, type Work } from './work.js';

/*
 * The due index on a key-value store (layout next to work.ts's):
 *   DS:<slot>           one list per due second (`slot` = dueAt rounded up to the second, in
 *                       seconds since the epoch), with the usual L:/I: keys; an ID's record keeps
 *                       `dueAt` and `dueIndex`, its place in that list
 *   C:s:<slot> C:m:<minute> C:h:<hour> C:d:<day>
 *                       how many IDs are due in that second, minute, hour and day (absent when none)
 *   DQS                 {c, m, n}: the lowest slot that may hold IDs (the cursor), the highest slot
 *                       scheduled, and how many IDs are scheduled (absent when none)
 * A claim reads the counters from the cursor on, skipping empty days, hours, minutes and seconds a
 * bucket at a time, takes from the head of the first busy second, and moves the cursor past the
 * seconds it emptied: its cost follows the time that passed since the last claim, not the number
 * of IDs. Counting a range reads one counter per whole day in it plus at most 2 × (23 + 59 + 59) at
 * its edges. Seconds, not minutes: refresh intervals under a minute (tests, demos) stay exact to a
 * second; a day's worth of empty seconds costs no more reads than before, as the larger buckets
 * skip them. (The unreleased minute-bucketed index used `D:`, `N:`, `DQ`: those keys are not read.)
 */

const SECOND = 1000;
/** Bucket sizes in seconds (second, minute, hour, day) and the names of their counters. */
const LEVELS = [1, 60, 3600, 86_400] as const;
const LEVEL_NAMES = ['s', 'm', 'h', 'd'] as const;
/** Counters read per round trip when looking for the next busy slot. */
const READ_CHUNK = 512;

export const DUE_KEY = 'DQS';

export interface DueState {
  /** Lowest slot that may hold IDs. */
  c: number;
  /** Highest slot scheduled since the index was last empty. */
  m: number;
  /** IDs scheduled. */
  n: number;
}

interface Bucket {
  level: number;
  first: number;
  last: number;
}

/** The second an ID is due in: its due time rounded up, so an ID is never due early. */
export const slotOf = (dueAt: number): number => Math.ceil(dueAt / SECOND);
export const slotTime = (slot: number): number => slot * SECOND;
/** The last slot that is due at `now`. */
export const nowSlotOf = (now: number): number => Math.floor(now / SECOND);
export const slotList = (slot: number): string => `DS:${slot}`;

function counterKey(bucket: Bucket): string {
  const size = LEVELS[bucket.level];
  return `C:${LEVEL_NAMES[bucket.level]}:${Math.floor(bucket.first / size)}`;
}

/** The second, minute, hour and day counters a slot counts in. */
function slotCounterKeys(slot: number): string[] {
  return LEVELS.map((_, level) => counterKey({ level, first: slot, last: slot }));
}

/** Buckets covering slots [a, b] in order, each as large as its alignment allows (up to `maxLevel`). */
function cover(a: number, b: number, maxLevel: number, limit: number): Bucket[] {
  const out: Bucket[] = [];
  let s = a;
  while (s <= b && out.length < limit) {
    let level = maxLevel;
    while (
      level > 0 &&
      (((s % LEVELS[level]) + LEVELS[level]) % LEVELS[level] !== 0 || s + LEVELS[level] - 1 > b)
    ) {
      level--;
    }
    out.push({ level, first: s, last: s + LEVELS[level] - 1 });
    s += LEVELS[level];
  }
  return out;
}

export async function loadDue(work: Work): Promise<DueState | undefined> {
  const state = await work.get<DueState>(DUE_KEY);
  return state && state.n > 0 ? state : undefined;
}

function saveDue(work: Work, state: DueState): void {
  if (state.n > 0) work.set(DUE_KEY, state);
  else work.delete(DUE_KEY);
}

/** Adds `delta` to the slot's counters; resolves with the second's new count. */
async function bump(work: Work, slot: number, delta: number): Promise<number> {
  const keys = slotCounterKeys(slot);
  const values = await work.getMany<number>(keys);
  const next = values.map((value) => (value ?? 0) + delta);
  keys.forEach((key, i) => {
    if (next[i] > 0) work.set(key, next[i]);
    else work.delete(key);
  });
  return next[0];
}

/** The keys scheduling at these due times reads (list heads, counters), to fetch in one round trip. */
export function scheduleKeys(dueAts: readonly number[]): string[] {
  const keys = new Set<string>([DUE_KEY]);
  for (const dueAt of dueAts) {
    const slot = slotOf(dueAt);
    keys.add(metaKey(slotList(slot)));
    for (const key of slotCounterKeys(slot)) keys.add(key);
  }
  return [...keys];
}

/** Puts an ID (its record just written to done or notfound) into the index. */
export async function schedule(work: Work, id: string, rec: KeyvRecord, dueAt: number): Promise<void> {
  const slot = slotOf(dueAt);
  const list = slotList(slot);
  const meta = await work.list(list);
  rec.dueAt = dueAt;
  rec.dueIndex = meta.t++;
  work.set(itemKey(list, rec.dueIndex), { i: id });
  work.set(recKey(id), rec);
  await bump(work, slot, 1);
  const state = (await loadDue(work)) ?? { c: slot, m: slot, n: 0 };
  state.c = Math.min(state.c, slot);
  state.m = Math.max(state.m, slot);
  state.n++;
  saveDue(work, state);
}

/** Takes the ID of `rec` out of the index (no-op when it has no due time); strips the record's fields. */
export async function unschedule(work: Work, rec: KeyvRecord): Promise<void> {
  if (typeof rec.dueAt !== 'number') return;
  const slot = slotOf(rec.dueAt);
  if (rec.dueIndex !== undefined) work.delete(itemKey(slotList(slot), rec.dueIndex));
  // An empty second keeps no list head behind: every entry of it is gone.
  if ((await bump(work, slot, -1)) === 0) work.forgetList(slotList(slot));
  const state = await loadDue(work);
  if (state) {
    state.n--;
    saveDue(work, state);
  }
  delete rec.dueAt;
  delete rec.dueIndex;
}

/** The first slot in [from, last] with IDs in it, reading counters a bucket at a time. */
export async function firstBusySlot(work: Work, from: number, last: number): Promise<number | undefined> {
  let start = from;
  let end = last;
  let maxLevel = LEVELS.length - 1;
  while (start <= end) {
    const buckets = cover(start, end, maxLevel, READ_CHUNK);
    const counts = await work.getMany<number>(buckets.map(counterKey));
    const k = counts.findIndex((n) => (n ?? 0) > 0);
    if (k < 0) {
      start = buckets[buckets.length - 1].last + 1;
      continue;
    }
    const bucket = buckets[k];
    if (bucket.level === 0) return bucket.first;
    // Look inside the busy bucket with smaller ones.
    start = bucket.first;
    end = bucket.last;
    maxLevel = bucket.level - 1;
  }
  return undefined;
}

/** How many IDs are due in slots [a, b]. */
async function countRange(work: Work, a: number, b: number): Promise<number> {
  let total = 0;
  let start = a;
  while (start <= b) {
    const buckets = cover(start, b, LEVELS.length - 1, READ_CHUNK);
    for (const n of await work.getMany<number>(buckets.map(counterKey))) total += n ?? 0;
    start = buckets[buckets.length - 1].last + 1;
  }
  return total;
}

const HOUR_SLOTS = 3600;
const DAY_SLOTS = 86_400;

/** Due now, in the next hour, day and later, at second granularity (see slotOf). */
export async function summarizeDue(work: Work, now: number): Promise<DueSummary> {
  const state = await loadDue(work);
  if (!state) return { dueNow: 0, nextHour: 0, nextDay: 0, later: 0 };
  const nowSlot = nowSlotOf(now);
  const hourEnd = Math.min(nowSlot + HOUR_SLOTS, state.m);
  const dayEnd = Math.min(nowSlot + DAY_SLOTS, state.m);
  const dueNow = await countRange(work, state.c, Math.min(nowSlot, state.m));
  const nextHour = await countRange(work, Math.max(nowSlot + 1, state.c), hourEnd);
  const nextDay = await countRange(work, Math.max(nowSlot + HOUR_SLOTS + 1, state.c), dayEnd);
  const summary: DueSummary = {
    dueNow,
    nextHour,
    nextDay,
    later: state.n - dueNow - nextHour - nextDay,
  };
  const next = await firstBusySlot(work, Math.max(nowSlot + 1, state.c), state.m);
  if (next !== undefined) summary.nextDueAt = slotTime(next);
  return summary;
}
