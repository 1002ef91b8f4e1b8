/**
 * What keeps this worker's claims valid and visible: renewing the leases of the users it holds,
 * the heartbeat that shows it in `status`, its sign-off at the end, and, at the start, taking back
 * what it held before a restart (completing first the users it had already stored).
 */
import os from 'node:os';
import { withTimeout } from '../deadline.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IdRecord, StateStore } from '../state-store.js';
import type { StoreCall } from './store-calls.js';

export interface LeaseKeeperDeps {
  state: Pick<StateStore, 'renew' | 'list' | 'releaseOwner' | 'heartbeat' | 'signOff'>;
  store: StoreCall;
  workerId: string;
  leaseMs: number;
  heartbeatEveryMs: number;
  /** IDs this worker holds now (crawling, writing or claimed ahead). */
  held(): string[];
  inFlight(): number;
  /** Users finished in the last minute. */
  rate(): number;
  /** The adaptive request rate per host (shown by `status`). */
  rates?(): Record<string, number>;
  startedAt: number;
  log: Logger;
}

/** Completes a user whose result was stored after `since`; false when there is none (see user-attempt.ts). */
export type CompleteIfStored = (id: string, depth: number, since: number) => Promise<boolean>;

export interface LeaseKeeper {
  /** Renew held leases every third of leaseMs and beat the heart (once at once). */
  start(): void;
  stop(): void;
  /**
   * Before taking back its own leases, a restarted worker completes the users it had already
   * stored (a result written after the lease's last update belongs to that lease), so that they
   * are not even claimed again; the rest of its old leases go back to pending at once.
   */
  recover(completeIfStored: CompleteIfStored): Promise<void>;
  /** A worker that ended cleanly leaves `workers()` at once. */
  signOff(): Promise<void>;
}

const LIST_PAGE = 500;
const SIDE_CALL_TIMEOUT_MS = 5000;

export function createLeaseKeeper(deps: LeaseKeeperDeps): LeaseKeeper {
  const { state, store, workerId, leaseMs, log } = deps;
  const timers: ReturnType<typeof setInterval>[] = [];
  let renewing = false;

  function renew() {
    const ids = deps.held();
    if (renewing || ids.length === 0) return;
    renewing = true;
    store(state.renew(workerId, ids, leaseMs), 'state.renew')
      .catch((error) => log.warn(`lease renewal failed: ${describeError(error)}`))
      .finally(() => {
        renewing = false;
      });
  }

  function heartbeat() {
    if (!state.heartbeat) return;
    withTimeout(
      state.heartbeat({
        workerId,
        host: os.hostname(),
        pid: process.pid,
        startedAt: deps.startedAt,
        lastSeen: Date.now(),
        inFlight: deps.inFlight(),
        rate: deps.rate(),
        requestRates: deps.rates?.(),
      }),
      SIDE_CALL_TIMEOUT_MS,
      'heartbeat',
    ).catch(() => {});
  }

  /** Only the leased set is read (a few per worker), never all IDs. */
  async function ownLeases(): Promise<IdRecord[]> {
    const mine: IdRecord[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page++) {
      const records = await store(state.list('leased', { limit: LIST_PAGE, after }), 'state.list');
      mine.push(...records.filter((r) => r.owner === workerId));
      if (records.length < LIST_PAGE) break;
      after = records[records.length - 1].id;
    }
    return mine;
  }

  return {
    start() {
      timers.push(setInterval(renew, Math.max(500, Math.floor(leaseMs / 3))));
      timers.push(setInterval(heartbeat, deps.heartbeatEveryMs));
      // A worker shows in `status` from its first second, not only after the first interval.
      heartbeat();
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
    async recover(completeIfStored) {
      let completed = 0;
      for (const record of await ownLeases()) {
        if (await completeIfStored(record.id, record.depth, record.updatedAt)) completed++;
      }
      if (completed > 0)
        log.info(`completed ${completed} users stored before a restart without crawling them again`);
      const reclaimed = await store(state.releaseOwner(workerId), 'state.releaseOwner');
      if (reclaimed > 0) log.info(`took back ${reclaimed} IDs this worker held before a restart`);
    },
    async signOff() {
      if (state.signOff)
        await withTimeout(state.signOff(workerId), SIDE_CALL_TIMEOUT_MS, 'signOff').catch(() => {});
    },
  };
}
