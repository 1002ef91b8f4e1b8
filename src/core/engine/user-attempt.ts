/**
 * One claimed user from start to end: complete it at once when its result was already stored
 * (a crash between the write and the move), else crawl it through the adapter within its
 * deadline, retrying as the retry policy says, write the result, then move the ID to its set.
 * Every exit goes through `Outcomes`: complete, or release back to pending.
 */
import { formatMs, linkedSignal, sleep, untilAborted } from '../deadline.js';
import {
  AbortedError,
  CrawlError,
  describeError,
  NetworkError,
  ParseError,
  SiteDownError,
  StoreError,
  TimeoutError,
} from '../errors.js';
import type { TypedEmitter } from '../events.js';
import type { Logger } from '../logger.js';
import type { UserResult } from '../model.js';
import type { ResultStore, StoredUser } from '../result-store.js';
import type { RetryPolicy } from '../retry-policy.js';
import { createRetryTracker } from '../retry-tracker.js';
import type { SiteAdapter } from '../site-adapter.js';
import type { Lease } from '../state-store.js';
import type { CrawlContexts } from './crawl-context.js';
import type { CompleteIfStored } from './lease-keeper.js';
import type { Outcomes } from './outcomes.js';
import type { RefreshPlanner } from './refresh-planner.js';
import type { StoreCall, StoreTroubleLog } from './store-calls.js';

export interface UserAttemptDeps {
  site: SiteAdapter;
  results: Pick<ResultStore, 'getUser' | 'getEdges' | 'saveUser' | 'saveOutcome'>;
  store: StoreCall;
  outcomes: Outcomes;
  /** Due times of the next refresh. */
  planner: RefreshPlanner;
  /** The engine's clock (`EngineSettings.now`): crawl times and due times. */
  now: () => number;
  contexts: CrawlContexts;
  retries: RetryPolicy;
  userTimeoutMs: number;
  /** Aborted when the run stops: no new attempt starts, waits end. */
  stopSignal: AbortSignal;
  outage: { downHosts(): string[]; readonly awaitingFirstContact: boolean };
  emitter: Pick<TypedEmitter, 'emit'>;
  log: Logger;
  troubleLog: StoreTroubleLog;
}

/** The crawl slot a user holds (see scheduler.ts). */
export interface Slot {
  /** Aborted only when stop() gave up waiting: the crawl is cut and the ID released. */
  readonly force: AbortSignal;
  /** Give the slot back while the result is written, so the next user may start meanwhile. */
  leave(): void;
}

export interface UserAttempts {
  /** Crawl one claimed user to its end. Never rejects: any trouble releases the ID. */
  crawl(lease: Lease, slot: Slot): Promise<void>;
  completeIfStored: CompleteIfStored;
}

export function createUserAttempts(deps: UserAttemptDeps): UserAttempts {
  const { site, results, store, outcomes, planner, now, userTimeoutMs, stopSignal, outage, emitter, log } =
    deps;

  /** The stored result, completed at once when it is newer than `since`; else what the crawl compares against. */
  async function lookupStored(id: string, depth: number, since: number) {
    const stored = await store(results.getUser(id), 'results.getUser');
    if (!stored || stored.lastCrawledAt < since) return { completed: false, previous: stored };
    if (stored.status === 'failed' && stored.lastGoodCrawledAt !== undefined) {
      // A refresh that failed just before a crash (its data kept): scheduled as crawlOne would have.
      await outcomes.retryLater(id, 'done', planner.afterFailedRefresh(id, stored.lastCrawledAt));
      return { completed: true, previous: stored };
    }
    if (stored.status === 'done') {
      const edges = await store(results.getEdges(id), 'results.getEdges');
      await outcomes.addDiscovered(id, depth, edges.follows, edges.fans);
    }
    log.debug(`${id} already stored at ${new Date(stored.lastCrawledAt).toISOString()}; completing`, {
      user: id,
    });
    // What changed is no longer known (the previous result was overwritten): the first-crawl interval.
    const dueAt = planner.afterOutcome(id, stored.status, stored.lastCrawledAt);
    await outcomes.complete(id, stored.status, stored.reason, dueAt);
    return { completed: true, previous: stored };
  }

  const completeIfStored: CompleteIfStored = async (id, depth, since) =>
    (await lookupStored(id, depth, since)).completed;

  async function attemptCrawl(id: string, force: AbortSignal): Promise<UserResult> {
    const link = linkedSignal(
      [force],
      userTimeoutMs,
      `user ${id} not finished within ${formatMs(userTimeoutMs)}`,
    );
    const { context, pages } = deps.contexts.open(id, link.signal);
    const cut = untilAborted(link.signal);
    try {
      const result = await Promise.race([site.crawlUser(id, context), cut.promise]);
      if (!result || typeof result !== 'object' || !Array.isArray(result.articles) || !result.profile) {
        throw new ParseError(`adapter ${site.name} returned no usable result for ${id}`);
      }
      return result;
    } finally {
      cut.dispose();
      link.dispose();
      await pages.close();
    }
  }

  async function saveAndComplete(
    lease: Lease,
    previous: StoredUser | undefined,
    result: UserResult,
    slot: Slot,
    t0: number,
  ) {
    const { id, depth } = lease;
    // Writing the result does not need a crawl slot: the next user may start meanwhile.
    slot.leave();
    let dueAt: number;
    try {
      const crawledAt = now();
      // Before the save: the planner compares the result with what the store holds now.
      dueAt = await planner.afterDone(lease, previous, result, crawledAt);
      await store(results.saveUser(result, crawledAt), 'results.saveUser');
      await outcomes.addDiscovered(id, depth, result.follows, result.fans);
    } catch (saveError) {
      deps.troubleLog(`could not store ${id}`, saveError, id);
      return outcomes.release(id, 'STORE', `store error: ${describeError(saveError)}`, true);
    }
    await outcomes.complete(id, 'done', undefined, dueAt);
    emitter.emit('userDone', { id, articles: result.articles.length, ms: Date.now() - t0 });
  }

  async function crawlOne(lease: Lease, slot: Slot): Promise<void> {
    const { id, depth } = lease;
    const { force } = slot;
    const t0 = Date.now();
    // Stored before a crash, never moved to its final set: complete it, do not crawl twice.
    const { completed, previous } = await lookupStored(id, depth, lease.enqueuedAt);
    if (completed) return;

    const tracker = createRetryTracker(deps.retries);
    for (;;) {
      if (stopSignal.aborted || force.aborted) return outcomes.release(id, 'ABORTED', 'stopping');
      if (outage.downHosts().length > 0) return outcomes.release(id, 'SITE_DOWN', 'site down');
      let result: UserResult | undefined;
      let error: unknown;
      try {
        result = await attemptCrawl(id, force);
      } catch (caught) {
        error = caught;
      }
      if (result) return saveAndComplete(lease, previous, result, slot, t0);

      if (force.aborted) return outcomes.release(id, 'ABORTED', 'stopped before finishing');
      if (error instanceof AbortedError && stopSignal.aborted)
        return outcomes.release(id, 'ABORTED', 'stopping');
      const connectionTrouble =
        error instanceof NetworkError || error instanceof TimeoutError || error instanceof SiteDownError;
      if (connectionTrouble && outage.downHosts().length > 0) {
        return outcomes.release(id, 'SITE_DOWN', `site down (${describeError(error)})`);
      }

      const decision = tracker.judge(error);
      if (decision.action === 'retry') {
        log.debug(`retrying ${id} in ${formatMs(decision.delayMs)}: ${describeError(error)}`, {
          user: id,
          attempt: tracker.attempts,
          throttles: tracker.throttles,
        });
        const wait = linkedSignal([stopSignal, force]);
        try {
          await sleep(decision.delayMs, wait.signal);
        } catch {
          return outcomes.release(id, 'ABORTED', 'stopping');
        } finally {
          wait.dispose();
        }
        continue;
      }
      if (decision.action === 'final' && connectionTrouble && outage.awaitingFirstContact) {
        // A site that never answered in this run says nothing about this user: keep it pending
        // (the outage monitor ends the run if the site stays unreachable).
        return outcomes.release(
          id,
          'SITE_UNREACHABLE',
          `site not reached yet (${describeError(error)})`,
          true,
        );
      }
      if (decision.action === 'release') {
        const stopping = error instanceof AbortedError || error instanceof SiteDownError;
        return outcomes.release(id, errorCode(error), decision.reason, !stopping);
      }
      const at = now();
      await store(results.saveOutcome(id, decision.outcome, decision.reason, at), 'results.saveOutcome');
      if (decision.outcome === 'failed' && lease.refresh) {
        // The store keeps the last good crawl's data; a watch left unattended for weeks should
        // try again soon rather than wait for someone to type `retry`.
        const dueAt = planner.afterFailedRefresh(id, at);
        const code = errorCode(error);
        await outcomes.retryLater(id, previous?.status === 'notfound' ? 'notfound' : 'done', dueAt, code);
        log.warn(`${id} failed: ${decision.reason}; refresh again at ${new Date(dueAt).toISOString()}`, {
          user: id,
          code,
        });
        emitter.emit('userFailed', { id, reason: decision.reason, code });
        return;
      }
      const dueAt = planner.afterOutcome(id, decision.outcome, at);
      const code = errorCode(error);
      await outcomes.complete(id, decision.outcome, decision.reason, dueAt, code);
      if (decision.outcome === 'notfound') emitter.emit('userNotFound', { id, ms: Date.now() - t0 });
      else {
        log.warn(`${id} failed: ${decision.reason}`, { user: id, code });
        emitter.emit('userFailed', { id, reason: decision.reason, code });
      }
      return;
    }
  }

  return {
    completeIfStored,
    crawl(lease, slot) {
      return crawlOne(lease, slot).catch(async (error: unknown) => {
        if (error instanceof StoreError) {
          deps.troubleLog(`${lease.id} back to pending`, error, lease.id);
          return outcomes.release(lease.id, 'STORE', `store error: ${error.message}`, true);
        }
        log.error(`unexpected error on ${lease.id}: ${describeError(error)}`, { user: lease.id });
        await outcomes.release(lease.id, errorCode(error), `engine error: ${describeError(error)}`, true);
      });
    },
  };
}

/** The error's code, a bounded label (`ERROR` for anything that is not a CrawlError). */
function errorCode(error: unknown): string {
  return error instanceof CrawlError ? error.code : 'ERROR';
}
