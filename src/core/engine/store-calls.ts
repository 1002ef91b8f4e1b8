/**
 * Every store call of the engine goes through here: bounded by a deadline, wrapped in StoreError,
 * and judged. A fatal store error (a damaged file, a full disk, a server gone past its reconnect
 * window) is handed to `onFatal`, which stops the run; transient trouble that lasts `giveUpMs`
 * per store turns fatal too, so a store that never recovers cannot keep a run spinning.
 */
import { formatMs, withTimeout } from '../deadline.js';
import { describeError, isFatalStoreError, StoreError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface StoreCalls {
  /** Runs one store call; `what` is "state.claim", "results.saveUser"… (the prefix names the store). */
  call<T>(work: Promise<T>, what: string): Promise<T>;
  /** Set by a run: a fatal store error stops it instead of putting the user back. */
  onFatal: ((error: StoreError) => void) | undefined;
  /** Forget the trouble of an earlier run. */
  reset(): void;
}

export function createStoreCalls(timeoutMs: number, giveUpMs: number): StoreCalls {
  /** Per store ("state", "results"): since when its calls fail with transient errors only. */
  const trouble = new Map<string, number>();
  const calls: StoreCalls = {
    onFatal: undefined,
    reset() {
      trouble.clear();
    },
    call<T>(work: Promise<T>, what: string): Promise<T> {
      const which = what.split('.')[0];
      return withTimeout(work, timeoutMs, what).then(
        (value) => {
          trouble.delete(which);
          return value;
        },
        (error: unknown) => {
          let failure =
            error instanceof StoreError
              ? error
              : new StoreError(`${what} failed: ${describeError(error)}`, { cause: error, transient: true });
          if (failure.transient) {
            const since = trouble.get(which) ?? Date.now();
            trouble.set(which, since);
            if (Date.now() - since >= giveUpMs) {
              failure = new StoreError(
                `${which} store kept failing for ${formatMs(Date.now() - since)}: ${failure.message}`,
                { cause: failure, hint: failure.hint },
              );
            }
          }
          if (isFatalStoreError(failure)) calls.onFatal?.(failure);
          throw failure;
        },
      );
    },
  };
  return calls;
}

/** One store call, as the engine's parts receive it (`StoreCalls.call`). */
export type StoreCall = <T>(work: Promise<T>, what: string) => Promise<T>;

/** Logs trouble with a store call about one user; see `createStoreTroubleLog`. */
export type StoreTroubleLog = (what: string, error: unknown, id: string) => void;

/**
 * Store trouble shows once per 10 s, not once per user: a reconnecting server fails every call
 * (each user goes back to pending) until it is back or the trouble turns fatal. A fatal error
 * is reported once, by run()'s rejection, so nothing is logged once `fatal()` says so.
 */
export function createStoreTroubleLog(
  log: Logger,
  fatal: () => boolean,
  now: () => number = Date.now,
): StoreTroubleLog {
  let warnedAt = Number.NEGATIVE_INFINITY;
  return (what, error, id) => {
    if (isFatalStoreError(error) || fatal()) return;
    const at = now();
    const level = at - warnedAt >= 10_000 ? 'warn' : 'debug';
    if (level === 'warn') warnedAt = at;
    log[level](`${what}: ${describeError(error)}`, { user: id });
  };
}
