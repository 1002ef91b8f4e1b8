/**
 * The due time a user gets when it reaches a final set: done users by the adaptive cadence,
 * notfound users at their slower fixed cadence, failed users none (they wait for `retry`), except
 * a failed refresh, which is tried again `refresh.min` later.
 * Reading what changed costs little: the stored profile is the read the attempt makes anyway
 * (`completeIfStored`), and the stored articles are read only when the profile's counters are all
 * unchanged (one indexed read of the rows the save then rewrites).
 */
import type { UserResult } from '../model.js';
import type { ResultStore, StoredUser } from '../result-store.js';
import type { Lease } from '../state-store.js';
import { dueAfter, nextIntervalMs, previousIntervalMs, type RefreshSettings } from './refresh-cadence.js';
import { articlesChanged, profileChanged } from './result-changed.js';
import type { StoreCall } from './store-calls.js';

export interface RefreshPlannerDeps {
  refresh: RefreshSettings;
  results: Pick<ResultStore, 'getArticles'>;
  store: StoreCall;
}

export interface RefreshPlanner {
  /**
   * The due time of a user crawled with success at `crawledAt`, from what the result store held
   * before this result is saved (`previous`). Call it before the save.
   */
  afterDone(
    lease: Lease,
    previous: StoredUser | undefined,
    result: UserResult,
    crawledAt: number,
  ): Promise<number>;
  /** The due time after a final outcome without data, or after completing a stored result; undefined for failed. */
  afterOutcome(id: string, outcome: 'done' | 'notfound' | 'failed', at: number): number | undefined;
  /** The due time of a refresh that failed at `at`: `refresh.min` later, so a watch tries again soon. */
  afterFailedRefresh(id: string, at: number): number;
}

export function createRefreshPlanner(deps: RefreshPlannerDeps): RefreshPlanner {
  const { refresh, results, store } = deps;

  async function changedSince(previous: StoredUser, result: UserResult): Promise<boolean | undefined> {
    if (previous.status !== 'done' || !previous.profile) return undefined;
    if (profileChanged(previous.profile, result.profile)) return true;
    const articles = await store(results.getArticles(previous.username), 'results.getArticles');
    return articlesChanged(articles, result.articles);
  }

  return {
    async afterDone(lease, previous, result, crawledAt) {
      const changed = previous && refresh.adaptive ? await changedSince(previous, result) : undefined;
      const previousMs = lease.refresh
        ? previousIntervalMs(lease.id, lease.enqueuedAt, previous?.lastCrawledAt, refresh.jitter)
        : undefined;
      const interval = nextIntervalMs(refresh, { previousMs, changed });
      return dueAfter(lease.id, crawledAt, interval, refresh.jitter);
    },
    afterOutcome(id, outcome, at) {
      if (outcome === 'failed') return undefined;
      const interval =
        outcome === 'done'
          ? nextIntervalMs(refresh, { previousMs: undefined, changed: undefined })
          : refresh.notfoundEveryMs;
      return dueAfter(id, at, interval, refresh.jitter);
    },
    afterFailedRefresh(id, at) {
      return dueAfter(id, at, refresh.minMs, refresh.jitter);
    },
  };
}
