import path from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { type DueSummary, ID_SETS, type SetCounts } from '../../core/state-store.js';
import { createSiteAdapter } from '../../crawler/default-site.js';
import { openStateOnly } from '../../crawler/open-stores.js';
import { readStoreFigures } from '../../crawler/store-figures.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';
import { formatRates } from '../progress.js';
import { collectIds, reportInvalid } from './ids-input.js';
import { openStateForReading } from './open-for-reading.js';

type Print = (line: string) => void;

export async function addCommand(
  args: string[],
  flags: CommonFlags & { backlog?: boolean; recrawl?: boolean; '--'?: string[] },
  print: Print,
  printErr: Print,
): Promise<number> {
  const config = await configFromFlags(flags);
  const raw = await collectIds(args, config.idsFile, flags['--']);
  const ids = reportInvalid(createSiteAdapter(config), raw, printErr);
  if (ids.length === 0) {
    throw new InvalidInputError('no valid IDs to add', { hint: 'pass IDs as arguments or with --ids-file' });
  }
  const state = await openStateOnly(config);
  try {
    const added = await state.add(ids, { to: flags.backlog ? 'backlog' : 'pending', recrawl: flags.recrawl });
    print(`added ${added} of ${ids.length} IDs to ${flags.backlog ? 'backlog' : 'pending'}`);
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

export async function promoteCommand(n: unknown, flags: CommonFlags, print: Print): Promise<number> {
  const count = Number(n);
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidInputError(`promote needs a positive whole number, got ${JSON.stringify(n)}`, {
      hint: 'e.g. csdn-crawl promote 100',
    });
  }
  const config = await configFromFlags(flags);
  const state = await openStateOnly(config);
  try {
    print(`promoted ${await state.promote(count)} IDs from backlog to pending`);
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

/** `retry`: failed IDs back to pending; `--notfound`: the IDs judged not found instead (after a wrong --base-url). */
export async function retryCommand(
  flags: CommonFlags & { notfound?: boolean },
  print: Print,
): Promise<number> {
  const config = await configFromFlags(flags);
  const state = await openStateOnly(config);
  try {
    const from = flags.notfound ? 'notfound' : 'failed';
    const what = from === 'notfound' ? 'not-found' : 'failed';
    print(`moved ${await state.retryFailed(from)} ${what} IDs back to pending`);
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

interface LastRun {
  workerId?: string;
  endedAt?: number;
  durationMs?: number;
  done?: number;
  failed?: number;
  notfound?: number;
  usersPerMinute?: number;
  requests?: number;
  rates?: Record<string, number>;
  /** Since failed and released users were counted by code (older runs lack them). */
  failedByCode?: Record<string, number>;
  releasedByCode?: Record<string, number>;
}

export async function statusCommand(flags: CommonFlags & { json?: boolean }, print: Print): Promise<number> {
  const config = await configFromFlags(flags);
  const state = await openStateForReading(config);
  if (!state) {
    if (flags.json)
      print(
        JSON.stringify({
          counts: zeroCounts(),
          due: null,
          lastRun: null,
          workers: [],
          recentFailures: [],
          noData: true,
        }),
      );
    else
      print(
        `no data yet in ${path.resolve(config.store ?? config.dataDir)} (start with: csdn-crawl run <id>)`,
      );
    return EXIT.ok;
  }
  try {
    const now = Date.now();
    // The same reader as the metrics' gauges (csdn_crawl_ids, csdn_crawl_due): the same figures.
    const figures = await readStoreFigures(state, { now });
    const { counts } = figures;
    const due = figures.due ?? null;
    const lastRun = await state.getMeta?.<LastRun>('lastRun');
    const workers = (await state.workers?.()) ?? [];
    const failed = await state.list('failed', { limit: 5 });
    if (flags.json) {
      print(JSON.stringify({ counts, due, lastRun: lastRun ?? null, workers, recentFailures: failed }));
      return EXIT.ok;
    }
    const total = ID_SETS.reduce((sum, set) => sum + counts[set], 0);
    print(ID_SETS.map((set) => `${set.padEnd(8)} ${String(counts[set]).padStart(9)}`).join('\n'));
    print(`${'total'.padEnd(8)} ${String(total).padStart(9)}`);
    if (due) print(describeDue(due, now));
    if (lastRun) {
      const when = lastRun.endedAt ? new Date(lastRun.endedAt).toISOString() : 'unknown time';
      print(
        `last run (${lastRun.workerId ?? 'unknown worker'}) ended ${when}: ${lastRun.done ?? 0} done, ${lastRun.notfound ?? 0} not found, ${lastRun.failed ?? 0} failed${byCode(lastRun.failedByCode)} in ${Math.round((lastRun.durationMs ?? 0) / 1000)} s (${(lastRun.usersPerMinute ?? 0).toFixed(1)} users/min${endRates(lastRun.rates)})`,
      );
    }
    for (const w of workers) {
      const ago = Math.round((Date.now() - w.lastSeen) / 1000);
      print(
        `worker ${w.workerId} on ${w.host} pid ${w.pid}: ${w.inFlight} in flight, ${w.rate.toFixed(1)} users/min${formatRates(w.requestRates)}, seen ${ago} s ago`,
      );
    }
    for (const f of failed) print(`failed ${f.id}: ${f.reason ?? 'no reason recorded'}`);
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

/** The adaptive rate a run ended with: what the next run may expect of the site. */
function endRates(rates: Record<string, number> | undefined): string {
  const text = formatRates(rates);
  return text ? `${text} at the end` : '';
}

/** Refreshes of done and notfound users (docs/watching.md): due now, within the hour and the day, next. */
function describeDue(due: DueSummary, now: number): string {
  const next =
    due.nextDueAt === undefined
      ? 'none scheduled'
      : `${new Date(due.nextDueAt).toISOString()} (in ${formatWait(due.nextDueAt - now)})`;
  return `due: ${due.dueNow} now, ${due.nextHour} in the next hour, ${due.nextDay} in the next day, ${due.later} later; next ${next}`;
}

function formatWait(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

/** ` (PARSE 2, TIMEOUT 1)`: the codes as the metrics label them; empty when there are none. */
function byCode(counts: Record<string, number> | undefined): string {
  const entries = Object.entries(counts ?? {});
  return entries.length === 0 ? '' : ` (${entries.map(([code, n]) => `${code} ${n}`).join(', ')})`;
}

function zeroCounts(): SetCounts {
  return Object.fromEntries(ID_SETS.map((set) => [set, 0])) as SetCounts;
}
