/**
 * Due-time figures of a state store (bench/state-store-due.ts and bench/state-store.ts run them):
 * users scheduled all at once and spread over a day, at one or several sizes N.
 *
 * Per scenario, a fresh store per size is filled first: the time to schedule its users (claim +
 * complete with `dueAt`, completions in parallel as a worker pool does). Then the latencies are
 * taken in rounds that alternate between the sizes, so that the load of a shared machine weighs on
 * every size alike and the columns compare: a claim when nothing is due yet, `dueSummary()`,
 * `counts()`, claim-due (one claim of a batch of due users, timed alone) and its throughput with the
 * completions (each due again a day later), and `dueSummary()` once those claims moved the cursor.
 */
import type { StateStore } from '../src/core/state-store.js';

export interface BenchStore {
  store: StateStore;
  cleanup(): Promise<void>;
}

/** One scenario's figures at one size, as printed in the table. */
export type DueFigures = Record<string, string>;

const DAY = 86_400_000;
const ROUNDS = 10;
const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return seconds(start) * 1000;
}

function show(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${median.toFixed(2)} ms (max ${sorted[sorted.length - 1].toFixed(1)})`;
}

interface Filled {
  total: number;
  store: StateStore;
  cleanup(): Promise<void>;
  figures: DueFigures;
  samples: Record<string, number[]>;
  claimed: number;
  claimMs: number;
}

async function fill(
  open: () => Promise<BenchStore>,
  total: number,
  dueAt: (i: number) => number,
): Promise<Filled> {
  const { store, cleanup } = await open();
  for (let i = 0; i < total; i += 50_000) {
    await store.add(Array.from({ length: Math.min(50_000, total - i) }, (_, k) => `user_${i + k}`));
  }
  const start = process.hrtime.bigint();
  for (;;) {
    const leases = await store.claim('bench', 1000, 600_000);
    if (leases.length === 0) break;
    await Promise.all(
      leases.map((l) =>
        store.complete('bench', l.id, 'done', undefined, { dueAt: dueAt(Number(l.id.slice(5))) }),
      ),
    );
  }
  const s = seconds(start);
  const figures = { 'schedule all': `${s.toFixed(1)} s (${Math.round(total / s)}/s)` };
  return { total, store, cleanup, figures, samples: {}, claimed: 0, claimMs: 0 };
}

function sample(f: Filled, name: string, ms: number): void {
  const list = f.samples[name] ?? [];
  list.push(ms);
  f.samples[name] = list;
}

/** Every size of one scenario: fill each, then alternate rounds of measurements between them. */
async function scenario(
  open: () => Promise<BenchStore>,
  sizes: number[],
  batch: number,
  claimTotal: number,
  spread: boolean,
): Promise<DueFigures[]> {
  // A whole minute, a day ahead of the wall clock: due times are the store's, given as `now`.
  const T = Math.ceil((Date.now() + DAY) / 60_000) * 60_000;
  const label = spread ? 'spread over a day' : 'all due at once';
  const filled: Filled[] = [];
  try {
    for (const total of sizes) {
      filled.push(await fill(open, total, (i) => (spread ? T + Math.floor((i * DAY) / total) : T)));
      console.log(`[${total} ${label}] schedule all: ${filled.at(-1)?.figures['schedule all']}`);
    }
    const middle = spread ? T + DAY / 2 : T;
    for (const f of filled) {
      const summary = await f.store.dueSummary(middle);
      f.figures['summary at the midpoint'] =
        `${summary.dueNow} now, ${summary.nextHour + summary.nextDay} within a day`;
    }
    const now = T + DAY;
    const claimsPerRound = Math.ceil(claimTotal / batch / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const f of filled) {
        const { store } = f;
        for (let k = 0; k < 2; k++) {
          sample(
            f,
            'claim, nothing due',
            await timed(() => store.claim('idle', batch, 60_000, { due: true, now: T - 60_000 })),
          );
          sample(f, 'dueSummary()', await timed(() => store.dueSummary(middle)));
          sample(f, 'counts()', await timed(() => store.counts()));
        }
        const start = process.hrtime.bigint();
        for (let k = 0; k < claimsPerRound; k++) {
          let leases: Awaited<ReturnType<StateStore['claim']>> = [];
          sample(
            f,
            `claim-due of ${batch}`,
            await timed(async () => {
              leases = await store.claim('bench', batch, 600_000, { due: true, now });
            }),
          );
          await Promise.all(
            leases.map((l) => store.complete('bench', l.id, 'done', undefined, { dueAt: now + DAY })),
          );
          f.claimed += leases.length;
        }
        f.claimMs += seconds(start) * 1000;
        sample(f, 'dueSummary() after', await timed(() => store.dueSummary(now)));
      }
    }
    for (const f of filled) {
      const names = ['claim, nothing due', 'dueSummary()', 'counts()', `claim-due of ${batch}`];
      for (const name of names) f.figures[name] = show(f.samples[name]);
      f.figures['claim-due + complete'] =
        `${Math.round((f.claimed * 1000) / f.claimMs)} users/s (${f.claimed} users)`;
      f.figures['dueSummary() after'] = show(f.samples['dueSummary() after']);
      for (const [name, value] of Object.entries(f.figures))
        console.log(`[${f.total} ${label}] ${name}: ${value}`);
    }
    return filled.map((f) => f.figures);
  } finally {
    for (const f of filled) await f.cleanup();
  }
}

export interface SizeFigures {
  total: number;
  atOnce: DueFigures;
  spread: DueFigures;
}

/** Both scenarios at every size; bench/state-store.ts calls this with its one N. */
export async function dueFigures(
  open: () => Promise<BenchStore>,
  sizes: number[],
  batch: number,
  claimTotal: number,
): Promise<SizeFigures[]> {
  const atOnce = await scenario(open, sizes, batch, claimTotal, false);
  const spread = await scenario(open, sizes, batch, claimTotal, true);
  return sizes.map((total, k) => ({ total, atOnce: atOnce[k], spread: spread[k] }));
}

/** A markdown table: one row per figure, one column per scenario and size (sizes side by side). */
export function dueTable(runs: SizeFigures[]): string {
  const columns = [
    ...runs.map((r) => ({ head: `${r.total.toLocaleString('en')}, at once`, figures: r.atOnce })),
    ...runs.map((r) => ({ head: `${r.total.toLocaleString('en')}, over a day`, figures: r.spread })),
  ];
  const rows = Object.keys(columns[0]?.figures ?? {});
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['', ...columns.map((c) => c.head)]),
    line(['---', ...columns.map(() => '---')]),
    ...rows.map((row) => line([row, ...columns.map((c) => c.figures[row] ?? '')])),
  ].join('\n');
}
