/**
 * The figures of one run: outcome counts, users per minute over the last minute, requests per
 * second over the last few seconds, the shared pending count. Emits 'progress' on a timer and
 * builds the run's summary. It reads the rest of the engine only through `ProgressSources`.
 */
import { withTimeout } from '../deadline.js';
import type { ProgressEvent } from '../events.js';
import type { RunSummary } from './types.js';

export type FinalOutcome = 'done' | 'notfound' | 'failed';

export interface ProgressSources {
  /** Requests sent so far by the run's HTTP client. */
  requestCount(): number;
  downHosts(): string[];
  /** The adaptive request rate per host. */
  rates?(): Record<string, number>;
  /** Users being crawled or written. */
  inFlight(): number;
  /** The shared pending count (state.counts().pending). */
  countPending(): Promise<number>;
  emit(event: ProgressEvent): void;
  now?: () => number;
}

export interface ProgressMeter {
  readonly counts: Readonly<Record<FinalOutcome | 'released', number>>;
  /** `code`: the error code of a failed user (a bounded label, as the metrics count it). */
  finished(outcome: FinalOutcome, code?: string): void;
  /** `code`: why the user went back to pending (`ABORTED` for a stop). */
  released(code: string): void;
  /** Users finished in the last minute. */
  recentlyFinished(): number;
  /** Ask the store for the pending count, waiting at most `timeoutMs`; -1 stays when it does not answer. */
  refreshPending(timeoutMs: number): Promise<void>;
  /** Emit one 'progress' event now. */
  report(): void;
  /** Every `intervalMs`: refresh the pending count in the background and report. */
  start(intervalMs: number): void;
  stop(): void;
  summary(stoppedBy: RunSummary['stoppedBy']): RunSummary;
}

const MINUTE = 60_000;
const REQUEST_WINDOW_MS = 5000;

export function createProgressMeter(sources: ProgressSources): ProgressMeter {
  const now = sources.now ?? Date.now;
  const startedAt = now();
  const requestsAtStart = sources.requestCount();
  const counts = { done: 0, notfound: 0, failed: 0, released: 0 };
  const failedByCode: Record<string, number> = {};
  const releasedByCode: Record<string, number> = {};
  const finishedAt: number[] = [];
  const requestSamples: { t: number; n: number }[] = [{ t: startedAt, n: requestsAtStart }];
  let pending = -1;
  let counting = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  function forget(at: number) {
    while (finishedAt.length > 0 && finishedAt[0] < at - MINUTE) finishedAt.shift();
  }

  async function refreshPending(timeoutMs: number) {
    await withTimeout(sources.countPending(), timeoutMs, 'state.counts')
      .then((n) => {
        pending = n;
      })
      .catch(() => {});
  }

  function report() {
    const at = now();
    forget(at);
    const windowMs = Math.min(MINUTE, Math.max(1000, at - startedAt));
    requestSamples.push({ t: at, n: sources.requestCount() });
    while (requestSamples.length > 2 && requestSamples[0].t < at - REQUEST_WINDOW_MS) requestSamples.shift();
    const first = requestSamples[0];
    const last = requestSamples[requestSamples.length - 1];
    const requestsPerSec = last.t > first.t ? ((last.n - first.n) * 1000) / (last.t - first.t) : 0;
    sources.emit({
      ...counts,
      inFlight: sources.inFlight(),
      pending,
      usersPerMin: Math.round((finishedAt.length * MINUTE * 10) / windowMs) / 10,
      requestsPerSec: Math.round(requestsPerSec * 10) / 10,
      down: sources.downHosts(),
      rates: sources.rates?.() ?? {},
    });
  }

  return {
    counts,
    finished(outcome, code) {
      counts[outcome]++;
      if (outcome === 'failed') tally(failedByCode, code ?? 'UNKNOWN');
      finishedAt.push(now());
    },
    released(code) {
      counts.released++;
      tally(releasedByCode, code);
    },
    recentlyFinished() {
      forget(now());
      return finishedAt.length;
    },
    refreshPending,
    report,
    start(intervalMs) {
      timer = setInterval(() => {
        if (!counting) {
          counting = true;
          refreshPending(Math.max(1000, intervalMs * 5)).finally(() => {
            counting = false;
          });
        }
        report();
      }, intervalMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    summary(stoppedBy) {
      const durationMs = now() - startedAt;
      const finished = counts.done + counts.notfound + counts.failed;
      return {
        ...counts,
        failedByCode: { ...failedByCode },
        releasedByCode: { ...releasedByCode },
        requests: sources.requestCount() - requestsAtStart,
        durationMs,
        usersPerMinute: durationMs > 0 ? Math.round((finished * MINUTE * 10) / durationMs) / 10 : 0,
        ...(sources.rates ? { rates: sources.rates() } : {}),
        stoppedBy,
      };
    },
  };
}

function tally(counts: Record<string, number>, code: string): void {
  counts[code] = (counts[code] ?? 0) + 1;
}
