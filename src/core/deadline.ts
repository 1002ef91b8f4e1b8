/**
 * Deadlines and cancellation helpers. The engine's rule is that nothing waits forever: every
 * await is raced against a timer or a signal, and every timer is cleared when the work settles
 * so that a finished run leaves no handle keeping the process alive.
 */
import { setMaxListeners } from 'node:events';
import { AbortedError, CrawlError, TimeoutError } from './errors.js';

/** The error a signal carries, as a CrawlError (an abort without a CrawlError reason is AbortedError). */
/**
 * An AbortController whose signal may carry many listeners: one signal (a user's, a host's, the
 * stop signal) is legitimately shared by every request in flight, which is not a leak.
 */
export function sharedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

export function abortError(signal: AbortSignal): CrawlError {
  const reason: unknown = signal.reason;
  if (reason instanceof CrawlError) return reason;
  return new AbortedError(reason instanceof Error ? reason.message : 'aborted');
}

/** Resolve after `ms`, or reject with the signal's error as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Race `work` against a deadline and an optional signal. The work itself is not cancelled (pass
 * the signal into it for that); this only guarantees that the caller stops waiting.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) {
    work.catch(() => {});
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      if (settled) return;
      finish();
      reject(abortError(signal!));
    };
    const timer =
      Number.isFinite(ms) && ms > 0
        ? setTimeout(() => {
            if (settled) return;
            finish();
            reject(new TimeoutError(`${what} did not finish within ${formatMs(ms)}`));
          }, ms)
        : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        if (settled) return;
        finish();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        finish();
        reject(error);
      },
    );
  });
}

export interface LinkedSignal {
  signal: AbortSignal;
  /** Abort with a reason (idempotent). */
  abort(reason?: unknown): void;
  /** Remove the listeners on the parents and clear the timer; call when the work settled. */
  dispose(): void;
}

/**
 * A signal that aborts when any parent aborts (with the parent's reason) or after `timeoutMs`
 * (with a TimeoutError). Unlike AbortSignal.any/timeout it can be disposed, so long-lived
 * parents (the engine's stop signal) do not collect one listener per request.
 */
export function linkedSignal(
  parents: readonly (AbortSignal | undefined)[],
  timeoutMs?: number,
  timeoutMessage = 'deadline passed',
): LinkedSignal {
  const controller = sharedController();
  const cleanups: (() => void)[] = [];
  const abort = (reason?: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason ?? new AbortedError());
    dispose();
  };
  const dispose = () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      abort(parent.reason);
      return { signal: controller.signal, abort, dispose };
    }
    const onAbort = () => abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    cleanups.push(() => parent.removeEventListener('abort', onAbort));
  }
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0) {
    const timer = setTimeout(() => abort(new TimeoutError(timeoutMessage)), timeoutMs);
    cleanups.push(() => clearTimeout(timer));
  }
  return { signal: controller.signal, abort, dispose };
}

/** A promise that never resolves but rejects when the signal aborts; for races. */
export function untilAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) {
      reject(abortError(signal));
      return;
    }
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return {
    promise,
    dispose: () => {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    },
  };
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  const m = s / 60;
  if (m < 120) return `${Number.isInteger(m) ? m : m.toFixed(1)} min`;
  // Due times of a watching run are hours or days away.
  const h = m / 60;
  return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
}
