/**
 * Where a user ends: moved to its final set (complete), back to pending (release), and the
 * neighbours it revealed queued (discovery). Each outcome is counted and announced here, once.
 */
import type { TypedEmitter } from '../events.js';
import type { Logger } from '../logger.js';
import { normalizeIds } from '../normalize-ids.js';
import type { DiscoveryOptions, SiteAdapter } from '../site-adapter.js';
import type { StateStore } from '../state-store.js';
import type { FinalOutcome, ProgressMeter } from './progress-meter.js';
import type { StoreCall, StoreTroubleLog } from './store-calls.js';

export interface OutcomesDeps {
  state: Pick<StateStore, 'complete' | 'release' | 'add'>;
  store: StoreCall;
  workerId: string;
  meter: Pick<ProgressMeter, 'finished' | 'released'>;
  /** Hold back claims for a while (a user released for trouble that the next one may share). */
  pauseClaims(): void;
  discovery: DiscoveryOptions;
  /** undefined: discovered IDs go to pending; a number: to the backlog. */
  promoteBacklog: number | undefined;
  site: SiteAdapter;
  emitter: Pick<TypedEmitter, 'emit'>;
  log: Logger;
  troubleLog: StoreTroubleLog;
}

export interface Outcomes {
  /** `dueAt`: the next refresh (refresh-planner.ts); none for failed users. */
  complete(id: string, outcome: FinalOutcome, reason?: string, dueAt?: number, code?: string): Promise<void>;
  /**
   * A refresh that failed: back to the final set it was refreshed from, due again at `dueAt`, and
   * counted as failed. Not the failed set: that holds users left for `retry`, with no due time.
   */
  retryLater(id: string, set: 'done' | 'notfound', dueAt: number, code?: string): Promise<void>;
  /**
   * Never throws: an ID that cannot be released comes back when its lease expires. `code` is the
   * error code that caused it (`ABORTED` for a stop): a bounded label for metrics, unlike `reason`.
   */
  release(id: string, code: string, reason: string, pauseClaims?: boolean): Promise<void>;
  addDiscovered(from: string, depth: number, follows?: string[], fans?: string[]): Promise<void>;
}

export function createOutcomes(deps: OutcomesDeps): Outcomes {
  const { state, store, workerId, meter, discovery, emitter, log } = deps;
  const lostLease = (id: string) =>
    log.warn(`lease on ${id} was lost before completion; another worker owns it now`, { user: id });
  return {
    async complete(id, outcome, reason, dueAt, code) {
      const options = dueAt === undefined ? undefined : { dueAt };
      const held = await store(state.complete(workerId, id, outcome, reason, options), 'state.complete');
      if (!held) lostLease(id);
      meter.finished(outcome, code);
    },

    async retryLater(id, set, dueAt, code) {
      const held = await store(state.complete(workerId, id, set, undefined, { dueAt }), 'state.complete');
      if (!held) lostLease(id);
      meter.finished('failed', code);
    },

    async release(id, code, reason, pauseClaims = false) {
      try {
        await store(state.release(workerId, [id]), 'state.release');
      } catch (error) {
        // The lease expires by itself; another claim picks the ID up then.
        deps.troubleLog(`could not release ${id}`, error, id);
      }
      meter.released(code);
      if (pauseClaims) deps.pauseClaims();
      emitter.emit('userReleased', { id, reason, code });
      log.debug(`released ${id}: ${reason}`, { user: id });
    },

    async addDiscovered(from, depth, follows = [], fans = []) {
      if (!discovery.enabled || depth >= discovery.maxDepth) return;
      const listed = [...follows.slice(0, discovery.maxPerUser), ...fans.slice(0, discovery.maxPerUser)];
      // Names that are no valid ID are skipped silently: a list may hold anything.
      const ids = normalizeIds(deps.site, listed).valid.filter((id) => id !== from);
      if (ids.length === 0) return;
      const to = deps.promoteBacklog === undefined ? 'pending' : 'backlog';
      await store(state.add(ids, { to, depth: depth + 1 }), 'state.add');
      emitter.emit('discovered', { ids, from, depth: depth + 1 });
    },
  };
}
