// The living replica's sense of time: a clock (real or injected) scaled into replica time.

/** A function returning epoch ms, or an object with `now()` (e.g. manualClock()). */
export type ClockSource = (() => number) | { now(): number };

/** A clock that only moves when told: tests advance it instead of waiting. */
export interface ManualClock {
  now(): number;
  /** Move forward by `ms` of clock time (replica time moves `ms × timeScale`). */
  advance(ms: number): void;
  set(ms: number): void;
}

export function manualClock(startMs = 0): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

export interface ReplicaTime {
  /** True when a clock or a time scale was given: the world changes with time. */
  readonly living: boolean;
  /** Replica time now (epoch ms). */
  now(): number;
  /** Replica time at a reading of the clock (e.g. a crawler's `Date.now()` at crawl time). */
  at(clockMs: number): number;
}

/** Replica time starts at `epoch` when the replica starts and runs `timeScale` times as fast as the clock. */
export function replicaTime(epoch: number, clock?: ClockSource, timeScale?: number): ReplicaTime {
  if (clock === undefined && timeScale === undefined) {
    return { living: false, now: () => epoch, at: () => epoch };
  }
  const scale = timeScale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
  }
  const read = typeof clock === 'function' ? clock : clock ? () => clock.now() : () => Date.now();
  const start = read();
  const at = (clockMs: number) => epoch + Math.max(0, Math.floor((clockMs - start) * scale));
  return { living: true, now: () => at(read()), at };
}
