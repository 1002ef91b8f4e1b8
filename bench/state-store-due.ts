/**
 * Due-time figures of a state store (bench/state-store.ts runs them): N users scheduled all at once
 * and spread over a day, each on a fresh store. Prints the time to schedule them (claim + complete
 * with `dueAt`, completions in parallel as a worker pool does), claim-due throughput (claim a batch
 * of due users, complete each with its next due time), a claim when nothing is due yet,
 * `dueSummary()` and `counts()` latency.
 */
import type { StateStore } from '../src/core/state-store.js';

export interface BenchStore {
  store: StateStore;
  cleanup(): Promise<void>;
}

const DAY = 86_400_000;
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function median(times: number, work: () => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    await work();
    ms.push(seconds(start) * 1000);
  }
  ms.sort((a, b) => a - b);
  return `median ${ms[Math.floor(times / 2)].toFixed(2)} ms, max ${ms[times - 1].toFixed(2)} ms`;
}

export async function dueFigures(
  open: () => Promise<BenchStore>,
  total: number,
  batch: number,
  claimTotal: number,
): Promise<void> {
  // A whole minute, a day ahead of the wall clock: due times are the store's, given as `now`.
  const T = Math.ceil((Date.now() + DAY) / 60_000) * 60_000;
  for (const spread of [false, true]) {
    const { store, cleanup } = await open();
    const dueAt = (id: string) => (spread ? T + Math.floor((Number(id.slice(5)) * DAY) / total) : T);
    const label = spread ? 'spread over a day' : 'all due at once';
    try {
      for (let i = 0; i < total; i += 50_000) {
        await store.add(Array.from({ length: Math.min(50_000, total - i) }, (_, k) => `user_${i + k}`));
      }
      let start = process.hrtime.bigint();
      for (;;) {
        const leases = await store.claim('bench', 1000, 600_000);
        if (leases.length === 0) break;
        await Promise.all(
          leases.map((l) => store.complete('bench', l.id, 'done', undefined, { dueAt: dueAt(l.id) })),
        );
      }
      const scheduleSeconds = seconds(start);
      console.log(
        `[${label}] schedule ${total} users: ${scheduleSeconds.toFixed(1)} s (${Math.round(total / scheduleSeconds)} users/s)`,
      );
      console.log(
        `[${label}] claim with nothing due: ${await median(20, () => store.claim('idle', batch, 60_000, { due: true, now: T - 60_000 }))}`,
      );
      const middle = spread ? T + DAY / 2 : T;
      console.log(`[${label}] dueSummary(): ${await median(20, () => store.dueSummary(middle))}`);
      console.log(
        `[${label}]   at ${spread ? 'midday' : 'the due time'}: ${JSON.stringify(await store.dueSummary(middle))}`,
      );
      console.log(`[${label}] counts(): ${await median(20, () => store.counts())}`);
      start = process.hrtime.bigint();
      let done = 0;
      const now = T + DAY;
      while (done < claimTotal) {
        const leases = await store.claim('bench', batch, 600_000, { due: true, now });
        if (leases.length === 0) break;
        await Promise.all(
          leases.map((l) => store.complete('bench', l.id, 'done', undefined, { dueAt: now + DAY })),
        );
        done += leases.length;
      }
      const claimSeconds = seconds(start);
      console.log(
        `[${label}] claim-due ${batch} at a time + complete: ${done} users in ${claimSeconds.toFixed(1)} s = ${Math.round(done / claimSeconds)} users/s`,
      );
      console.log(`[${label}] dueSummary() after: ${await median(20, () => store.dueSummary(now))}`);
    } finally {
      await cleanup();
    }
  }
}
