/**
 * What the state store says about a crawl, read the same way for `csdn-crawl status --json` and
 * for the Prometheus gauges (metrics.ts: `csdn_crawl_ids`, `csdn_crawl_due`,
 * `csdn_crawl_next_due_timestamp_seconds`): the sets' sizes and the refreshes due. One reader, so
 * the two never disagree on what they read (test/status-metrics-agree.test.ts compares them).
 */
import type { DueSummary, SetCounts, StateStore } from '../core/state-store.js';

/** What is read: a store's counts, and its due summary when it keeps due times. */
export interface FigureSource {
  counts: StateStore['counts'];
  dueSummary?: StateStore['dueSummary'];
}

export interface StoreFigures {
  counts: SetCounts;
  /** Refreshes due (docs/watching.md); absent when the store has no due times or could not say. */
  due?: DueSummary;
}

export interface ReadFiguresOptions {
  /** The clock deciding what is due (default Date.now()). */
  now?: number;
  /** Wraps each store call, e.g. with a deadline. */
  bound?: <T>(work: Promise<T>) => Promise<T>;
}

/**
 * Counts, then the due summary. Counts are the figures: their failure is the caller's. The due
 * summary is an extra: a store without it, or failing at it, still reports its sets.
 */
export async function readStoreFigures(
  state: FigureSource,
  options: ReadFiguresOptions = {},
): Promise<StoreFigures> {
  const bound = options.bound ?? (<T>(work: Promise<T>) => work);
  const now = options.now ?? Date.now();
  const due = state.dueSummary ? bound(state.dueSummary(now)).catch(() => undefined) : undefined;
  const counts = await bound(state.counts());
  const summary = await due;
  return summary ? { counts, due: summary } : { counts };
}
