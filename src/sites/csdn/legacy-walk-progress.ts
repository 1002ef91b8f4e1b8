import type { Article } from '../../core/model.js';

/** Where a failed browser walk of one user got to, so the next attempt need not start at page 1. */
export interface LegacyWalkProgress {
  /** listTotal of the list when the walk stopped. */
  listTotal: number | undefined;
  /** Article ids of page 1 in page order: a list that changed since shows other ones. */
  firstPageIds: string[];
  /** The last page read whole; its articles are in `articles`. */
  lastPage: number;
  /** Articles collected from pages 1..lastPage, in list order. */
  articles: Article[];
}

/**
 * Progress of failed walks, per user id, in memory, the oldest dropped past `capacity`: a user
 * retried in the same process continues from its last good page while its list is unchanged.
 * One entry is a user's articles so far; the bound keeps a long run with many failures small.
 */
export class LegacyProgressBook {
  private readonly entries = new Map<string, LegacyWalkProgress>();

  constructor(private readonly capacity = 64) {}

  get size(): number {
    return this.entries.size;
  }

  /** Take the progress of `id` (it is the caller's until it fails again). */
  take(id: string): LegacyWalkProgress | undefined {
    const progress = this.entries.get(id);
    this.entries.delete(id);
    return progress;
  }

  put(id: string, progress: LegacyWalkProgress): void {
    if (this.capacity <= 0 || progress.lastPage < 2) return;
    this.entries.delete(id);
    this.entries.set(id, progress);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/** True when page 1 read now is the page 1 the progress was made on (nothing published or removed). */
export function sameList(
  progress: LegacyWalkProgress,
  listTotal: number | undefined,
  ids: string[],
): boolean {
  return (
    progress.listTotal === listTotal &&
    progress.firstPageIds.length === ids.length &&
    progress.firstPageIds.every((id, i) => id === ids[i])
  );
}
