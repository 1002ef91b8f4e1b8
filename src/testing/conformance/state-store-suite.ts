import type { StateStore } from '../../core/state-store.js';

// What the StateStore conformance cases (state-store-*.ts) share; the entry is state-store.ts.

export interface StateStoreHandle {
  store: StateStore;
  /** A second instance on the same backing store (same file, same Redis prefix), for concurrency tests. */
  openAnother?: () => Promise<StateStore>;
  cleanup(): Promise<void>;
}

export interface StateStoreCapabilities {
  /** The store implements setMeta/getMeta. Default: detected. */
  meta?: boolean;
  /** The store implements heartbeat/workers. Default: detected. */
  heartbeats?: boolean;
}

/** The store under test, as the cases see it: a fresh one before each case. */
export interface StateStoreSuite {
  readonly store: StateStore;
  readonly handle: StateStoreHandle;
  readonly capabilities: StateStoreCapabilities;
}

/** `n` IDs `<prefix>0000`, `<prefix>0001`, ... in sorted order. */
export function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
}

/** A fixed pseudo-random sequence (the same walk on every store): `rand(n)` is in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}
