/**
 * Due-time figures of a state store (bench/state-store-due.ts and bench/state-store.ts run them):
 * N users scheduled all at once and spread over a day, each scenario on a fresh store.
 *
 * Per scenario: the time to schedule the users (claim + complete with `dueAt`, completions in
 * parallel as a worker pool does), a claim when nothing is due yet, `dueSummary()` and `counts()`
 * latency, claim-due latency (one claim of a batch of due users) and throughput (claim a batch,
 * complete each with its next due time), and `dueSummary()` after those claims.
 */
import type { StateStore } from '../src/core/state-store.js';

export interface BenchStore {
  store: StateStore;
  cleanup(): Promise<void>;
}

const DAY = 86_400_000;
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

interface Latency {
  median: number;
  max: number;
}

async function latency(times: number, work: () => Promise<unknown>): Promise<Latency> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = process.hrtime.bigint();
    await work();
    ms.push(seconds(start) * 1000);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(times / 2)], max: ms[times - 1] };
}

const show = (l: Latency) => `${l.median.toFixed(2)} ms (max ${l.max.toFixed(1)})`;

/** One scenario's figures, as printed in the table. */
export type DueFigures = Record<string, string>;

/** Schedules `total` users on a fresh store and measures; prints each figure as it comes. */
async function scenario(
  open: () => Promise<BenchStore>,
  total: number,
  batch: number,
  claimTotal: number,
  spread: boolean,
): Promise<DueFigures> {
  const figures: DueFigures = {};
  const label = `${total} ${spread ? 'spread over a day' : 'all due at once'}`;
  const note = (name: string, value: string) => {
    figures[name] = value;
    console.log(`[${label}] ${name}: ${value}`);
  };
  // A whole minute, a day ahead of the wall clock: due times are the store's, given as `now`.
  const T = Math.ceil((Date.now() + DAY) / 60_000) * 60_000;
  const dueAt = (id: string) => (spread ? T + Math.floor((Number(id.slice(5)) * DAY) / total) : T);
  const { store, cleanup } = await open();
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
    note('schedule all', `${scheduleSeconds.toFixed(1)} s (${Math.round(total / scheduleSeconds)}/s)`);
    note(
      'claim, nothing due',
      show(await latency(20, () => store.claim('idle', batch, 60_000, { due: true, now: T - 60_000 }))),
    );
    const middle = spread ? T + DAY / 2 : T;
    note('dueSummary()', show(await latency(20, () => store.dueSummary(middle))));
    note('counts()', show(await latency(20, () => store.counts())));
    const summary = await store.dueSummary(middle);
    note(
      'summary at the midpoint',
      `${summary.dueNow} now, ${summary.nextHour + summary.nextDay} within a day`,
    );

    // Claim-due: each claim of `batch` timed on its own, its completions (next due a day later) apart.
    const now = T + DAY;
    const claims: number[] = [];
    let done = 0;
    start = process.hrtime.bigint();
    while (done < claimTotal) {
      const claimStart = process.hrtime.bigint();
      const leases = await store.claim('bench', batch, 600_000, { due: true, now });
      claims.push(seconds(claimStart) * 1000);
      if (leases.length === 0) break;
      await Promise.all(
        leases.map((l) => store.complete('bench', l.id, 'done', undefined, { dueAt: now + DAY })),
      );
      done += leases.length;
    }
    const claimSeconds = seconds(start);
    claims.sort((a, b) => a - b);
    note(
      `claim-due of ${batch}`,
      show({ median: claims[Math.floor(claims.length / 2)], max: claims[claims.length - 1] }),
    );
    note('claim-due + complete', `${Math.round(done / claimSeconds)} users/s (${done} users)`);
    note('dueSummary() after', show(await latency(20, () => store.dueSummary(now))));
    return figures;
  } finally {
    await cleanup();
  }
}

/** Both scenarios at one size; bench/state-store.ts calls this with its N. */
export async function dueFigures(
  open: () => Promise<BenchStore>,
  total: number,
  batch: number,
  claimTotal: number,
): Promise<{ atOnce: DueFigures; spread: DueFigures }> {
  const atOnce = await scenario(open, total, batch, claimTotal, false);
  const spread = await scenario(open, total, batch, claimTotal, true);
  return { atOnce, spread };
}

/** A markdown table: one row per figure, one column per size and scenario. */
export function dueTable(runs: { total: number; atOnce: DueFigures; spread: DueFigures }[]): string {
  const columns = runs.flatMap((r) => [
    { head: `${r.total.toLocaleString('en')}, at once`, figures: r.atOnce },
    { head: `${r.total.toLocaleString('en')}, over a day`, figures: r.spread },
  ]);
  const rows = Object.keys(columns[0]?.figures ?? {});
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['', ...columns.map((c) => c.head)]),
    line(['---', ...columns.map(() => '---')]),
    ...rows.map((row) => line([row, ...columns.map((c) => c.figures[row] ?? '')])),
  ].join('\n');
}
