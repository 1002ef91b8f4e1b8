/**
 * The claim loop: claims IDs with leases (a few ahead, so a freed slot starts the next user at
 * once and claims are batched), starts each in a crawl slot, pauses while the site is down or
 * after trouble, promotes the backlog when pending runs dry, waits for leases held elsewhere,
 * and ends when there is nothing left (drained) or the run stops. A watching run never drains: it
 * sleeps until the next refresh is due (or the next re-check), and a stop wakes it at once. At
 * the end `settle()` lets the users in flight finish, then cuts them.
 */
import { formatMs, sharedController, withTimeout } from '../deadline.js';
import { AbortedError, describeError, isFatalStoreError, type SiteUnreachableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { backoffDelay, type RetryPolicy } from '../retry-policy.js';
import type { Lease } from '../state-store.js';
import type { StoreTroubleLog } from './store-calls.js';
import type { Slot } from './user-attempt.js';

/** The state store as the claim loop uses it, each call already bounded (store-calls.ts). */
export interface ClaimStore {
  claim(n: number): Promise<Lease[]>;
  release(ids: string[]): Promise<void>;
  promote(n: number): Promise<number>;
  /** IDs leased by any worker now. */
  leased(): Promise<number>;
  /** Milliseconds until the next refresh is due (0 or less: due now); undefined when none is scheduled. */
  dueIn?(): Promise<number | undefined>;
}

export interface WatchSettings {
  /** Longest sleep before asking the store again (IDs added by another process, a clock that jumps). */
  recheckMs: number;
}

export interface SchedulerDeps {
  concurrency: number;
  leaseMs: number;
  stopTimeoutMs: number;
  /** How long releasing the users cut at stop may take (their release is a bounded store call). */
  releaseTimeoutMs: number;
  /** Backoff of failed claims. */
  retries: RetryPolicy;
  promoteBacklog: number | undefined;
  /** Set: never drain, sleep until the next due time instead. */
  watch?: WatchSettings;
  claims: ClaimStore;
  outage: {
    downHosts(): string[];
    whenAllUp(signal: AbortSignal): Promise<void>;
    readonly unreachable: SiteUnreachableError | undefined;
  };
  /** Crawl one user to its end; never rejects. */
  runUser(lease: Lease, slot: Slot): Promise<void>;
  stopSignal: AbortSignal;
  log: Logger;
  troubleLog: StoreTroubleLog;
}

export interface Scheduler {
  /** The claim loop; resolves true when drained, false when stopped. */
  run(): Promise<boolean>;
  /** Give back the leases claimed ahead and not started. */
  releaseQueued(reason: string): Promise<void>;
  /** Let the users in flight finish (up to stopTimeoutMs), then cut and release them. */
  settle(): Promise<void>;
  /** Hold back claims for a short while (trouble the next users may share). */
  pauseClaims(): void;
  /** IDs held: in flight and claimed ahead (their leases are renewed). */
  held(): string[];
  inFlight(): number;
}

interface Task {
  inSlot: boolean;
  force: AbortController;
  done: Promise<void>;
}

const WRITE_WAIT_MS = 1000;
/** Shortest sleep of a watching run, so a store that reports a due ID it does not hand out is no busy loop. */
const WATCH_MIN_SLEEP_MS = 1000;

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { concurrency, leaseMs, claims, outage, stopSignal, log } = deps;
  const tasks = new Map<string, Task>();
  /** Leases claimed ahead, not started yet. */
  const queued: Lease[] = [];
  const prefetch = Math.ceil(concurrency / 2);
  /** Tasks holding a crawl slot; the others are writing their result. */
  let crawling = 0;
  let claimPausedUntil = 0;
  let wake: (() => void) | undefined;

  const wakeLoop = () => wake?.();
  stopSignal.addEventListener('abort', wakeLoop);

  function waitForWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  function start(lease: Lease) {
    const force = sharedController();
    crawling++;
    const leave = () => {
      const task = tasks.get(lease.id);
      if (!task?.inSlot) return;
      task.inSlot = false;
      crawling--;
      wakeLoop();
    };
    const task: Task = { inSlot: true, force, done: Promise.resolve() };
    tasks.set(lease.id, task);
    task.done = deps.runUser(lease, { force: force.signal, leave }).finally(() => {
      leave();
      tasks.delete(lease.id);
      wakeLoop();
    });
  }

  async function releaseQueued(reason: string) {
    if (queued.length === 0) return;
    const ids = queued.splice(0).map((l) => l.id);
    try {
      await claims.release(ids);
    } catch (error) {
      deps.troubleLog(`could not release ${ids.length} claimed IDs (${reason})`, error, ids[0]);
    }
  }

  /** How long a watching run sleeps with nothing to do: until the next due time, within bounds. */
  async function watchSleepMs(watch: WatchSettings, announce: boolean): Promise<number> {
    let dueIn: number | undefined;
    try {
      dueIn = await claims.dueIn?.();
    } catch (error) {
      if (isFatalStoreError(error)) throw error;
      log.warn(`could not read the next due time: ${describeError(error)}`);
    }
    if (announce) {
      const next =
        dueIn === undefined ? 'no refresh scheduled' : `next refresh due in ${formatMs(Math.max(0, dueIn))}`;
      log.info(`watching: nothing pending or due; ${next}`);
    }
    if (dueIn === undefined) return watch.recheckMs;
    return Math.min(watch.recheckMs, Math.max(Math.min(WATCH_MIN_SLEEP_MS, watch.recheckMs), dueIn));
  }

  async function run(): Promise<boolean> {
    let claimFailures = 0;
    let waitingForOthers = false;
    let idle = false;
    while (!stopSignal.aborted) {
      if (outage.downHosts().length > 0) {
        await releaseQueued('site down');
        await outage.whenAllUp(stopSignal).catch(() => {});
        // Never answered in this run: a wrong base URL or no network, not an outage to wait out.
        if (outage.unreachable) throw outage.unreachable;
        continue;
      }
      const pausedFor = claimPausedUntil - Date.now();
      if (pausedFor > 0) {
        await waitForWake(pausedFor);
        continue;
      }
      if (tasks.size >= concurrency * 2) {
        // Results are written more slowly than users are crawled: let the writes catch up.
        await waitForWake(WRITE_WAIT_MS);
        continue;
      }
      while (crawling < concurrency && queued.length > 0) start(queued.shift()!);
      const free = concurrency - crawling;
      const room = concurrency + prefetch - crawling - queued.length;
      if (free === 0 && queued.length > prefetch / 2) {
        await waitForWake(WRITE_WAIT_MS);
        continue;
      }
      let leases: Lease[];
      try {
        leases = await claims.claim(room);
        claimFailures = 0;
      } catch (error) {
        // Transient trouble (a lock, a reconnecting server) is waited out; the store calls turn
        // it fatal once it lasted storeGiveUpMs, and a fatal error ends the run here.
        claimFailures++;
        if (isFatalStoreError(error)) throw error;
        log.warn(`claim failed (${claimFailures}): ${describeError(error)}`);
        await waitForWake(
          Math.min(10_000, backoffDelay(claimFailures, { ...deps.retries, random: () => 1 })),
        );
        continue;
      }
      if (leases.length > 0) {
        queued.push(...leases);
        idle = false;
        continue;
      }
      if (tasks.size > 0 || queued.length > 0) {
        await waitForWake(WRITE_WAIT_MS);
        continue;
      }
      if (deps.promoteBacklog !== undefined && deps.promoteBacklog > 0) {
        const promoted = await claims.promote(deps.promoteBacklog);
        if (promoted > 0) {
          log.info(`promoted ${promoted} IDs from the backlog`);
          continue;
        }
      }
      // Leases held elsewhere (a worker that died near the end) come back when they expire:
      // stay until then, or those IDs would wait for the next run.
      const leasedElsewhere = await claims.leased();
      if (leasedElsewhere > 0) {
        if (!waitingForOthers) log.info(`waiting for ${leasedElsewhere} IDs leased by other workers`);
        waitingForOthers = true;
        await waitForWake(Math.min(5000, Math.max(250, leaseMs / 4)));
        continue;
      }
      if (deps.watch) {
        const sleepMs = await watchSleepMs(deps.watch, !idle);
        idle = true;
        if (!stopSignal.aborted) await waitForWake(sleepMs);
        continue;
      }
      return true;
    }
    return false;
  }

  async function settle() {
    stopSignal.removeEventListener('abort', wakeLoop);
    if (tasks.size === 0) return;
    const all = () => Promise.allSettled([...tasks.values()].map((t) => t.done));
    const finished = await withTimeout(all(), deps.stopTimeoutMs, 'in-flight users').then(
      () => true,
      () => false,
    );
    if (finished) return;
    log.warn(
      `stopping: ${tasks.size} users did not finish within ${formatMs(deps.stopTimeoutMs)}; releasing them`,
    );
    for (const task of tasks.values()) task.force.abort(new AbortedError('stopped'));
    await withTimeout(all(), deps.releaseTimeoutMs, 'releasing in-flight users').catch(() => {
      log.error(`${tasks.size} users still busy after stopping; their leases will expire`);
    });
  }

  return {
    run,
    releaseQueued,
    settle,
    pauseClaims() {
      claimPausedUntil = Math.max(claimPausedUntil, Date.now() + Math.min(5000, leaseMs / 4));
    },
    held: () => [...tasks.keys(), ...queued.map((l) => l.id)],
    inFlight: () => tasks.size,
  };
}
