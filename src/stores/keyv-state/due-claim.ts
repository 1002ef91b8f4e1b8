import { DUE_KEY, firstBusySlot, loadDue, nowSlotOf, slotList, slotOf, unschedule } from './due-index.js';
import { readEntries, type Taken } from './lists.js';
import { itemKey, type Work } from './work.js';

/** Entries read per round trip. */
const CHUNK = 2000;

/**
 * Takes up to `want` IDs due at `now` out of the due index, earliest second first, and moves the
 * cursor past the seconds it emptied. Each comes back ready to lease: unscheduled, `refresh` set,
 * attempts reset and `enqueuedAt` = its due time (a result stored after that answers the refresh).
 */
export async function takeDue(work: Work, want: number, now: number): Promise<Taken[]> {
  const taken: Taken[] = [];
  const state = await loadDue(work);
  if (!state || want <= 0) return taken;
  const last = Math.min(nowSlotOf(now), state.m);
  let cursor = state.c;
  while (taken.length < want) {
    const slot = await firstBusySlot(work, cursor, last);
    if (slot === undefined) {
      // Nothing is left up to `last`.
      cursor = Math.max(cursor, last + 1);
      break;
    }
    cursor = slot;
    const list = slotList(slot);
    const meta = await work.list(list);
    while (taken.length < want && meta.h < meta.t) {
      const end = Math.min(meta.t, meta.h + Math.max(2 * (want - taken.length), 64), meta.h + CHUNK);
      for (const entry of await readEntries(work, list, meta.h, end)) {
        if (taken.length >= want) break;
        const rec = entry.rec;
        const current =
          rec !== undefined &&
          (rec.set === 'done' || rec.set === 'notfound') &&
          typeof rec.dueAt === 'number' &&
          slotOf(rec.dueAt) === slot &&
          rec.dueIndex === entry.idx;
        if (!current) {
          work.delete(itemKey(list, entry.idx));
          continue;
        }
        const dueAt = rec.dueAt as number;
        const next = { ...rec };
        await unschedule(work, next);
        taken.push({ id: entry.id, rec: { ...next, attempts: 0, enqueuedAt: dueAt, refresh: true } });
      }
      while (meta.h < end && work.knownAbsent(itemKey(list, meta.h))) meta.h++;
      if (meta.h < end) break;
    }
    if (meta.h < meta.t) break;
    cursor = slot + 1;
  }
  // Every slot below the cursor is empty now.
  const after = await loadDue(work);
  if (after) {
    after.c = Math.max(after.c, Math.min(cursor, after.m));
    work.set(DUE_KEY, after);
  }
  return taken;
}
