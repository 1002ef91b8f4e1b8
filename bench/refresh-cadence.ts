/**
 * What the adaptive refresh cadence saves (docs/watching.md#what-the-adaptive-cadence-saves): the
 * real engine (HTTP driver, Keyv state, SQLite results, the config's defaults) crawls the living
 * replica for `days` replica days on a manual clock, once per rule, from the same start:
 * `adaptive: false` (every user every 24 h) and the adaptive rule (min/max defaults). Like a cron
 * job every `cronMinutes`, each run takes what is due; then the clock jumps to the next due time
 * (at least one cron interval on). Prints per rule: requests the replica served (all, and the
 * refreshes after the first crawl), crawls per user (by how lively users are), and freshness from
 * the replica's truth (bench/cadence-freshness.ts).
 *
 *   node_modules/.bin/vite-node bench/refresh-cadence.ts [users=200] [days=30] [cronMinutes=15] [rules=fixed,adaptive]
 *
 * A rule is `fixed` (every 24 h), `fixed:<every>`, `adaptive` (the defaults) or `adaptive:<min>:<max>`
 * (durations such as 12h, 7d).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine } from '../src/core/engine/index.js';
import { createSiteAdapter } from '../src/crawler/default-site.js';
import { resolveEngineOptions } from '../src/crawler/engine-options.js';
import { createHttpClient } from '../src/drivers/http.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';
import { manualClock, startReplica } from '../src/testing/replica/index.js';
import { type Freshness, summarize, TruthGrid, userStaleness } from './cadence-freshness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const users = Number(process.argv[2] ?? 200);
const days = Number(process.argv[3] ?? 30);
const cronMinutes = Number(process.argv[4] ?? 15);
const rules = (process.argv[5] ?? 'fixed,adaptive').split(',');
if (!(users >= 1) || !(days >= 1) || !(cronMinutes >= 1)) {
  console.error('usage: vite-node bench/refresh-cadence.ts [users] [days] [cronMinutes] [rules]');
  process.exit(2);
}
/** The clock of every run: a fixed start, so each rule meets the same world at the same moments. */
const START = Date.UTC(2026, 0, 5, 3, 0, 0);
const END = START + days * DAY;
const SEED = 7;
const MAX_ARTICLES = 60;

interface RuleResult {
  rule: string;
  requests: number;
  refreshRequests: number;
  crawls: Map<string, number[]>;
  runs: number;
  seconds: number;
}

function refreshOf(rule: string): Record<string, unknown> {
  const [name, min, max] = rule.split(':');
  if (name === 'fixed') return { adaptive: false, ...(min ? { every: min, min: '1m' } : {}) };
  if (name !== 'adaptive') throw new Error(`unknown rule ${rule}: fixed[:<every>] or adaptive[:<min>:<max>]`);
  return { adaptive: true, ...(min ? { min } : {}), ...(max ? { max } : {}) };
}

async function crawlWith(rule: string): Promise<RuleResult> {
  const clock = manualClock(START);
  const replica = await startReplica({ users, seed: SEED, clock, maxArticlesPerUser: MAX_ARTICLES });
  const dir = await mkdtemp(path.join(tmpdir(), 'csdn-cadence-'));
  const state = await openKeyvStateStore();
  const results = await openSqliteResultStore(path.join(dir, 'results.sqlite'));
  const http = createHttpClient();
  const started = process.hrtime.bigint();
  const crawls = new Map<string, number[]>(replica.usernames.map((u) => [u, []]));
  try {
    const config = {
      baseUrl: replica.url,
      driver: 'http' as const,
      concurrency: 8,
      // Politeness against the replica only: the bench counts requests, not their pace.
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      refresh: refreshOf(rule),
    };
    const site = createSiteAdapter({ baseUrl: replica.url });
    const options = resolveEngineOptions(config, { site, state, results, http, workerId: 'cadence-bench' });
    const engine = createEngine({ ...options, now: () => clock.now() });
    const seen = (id: string) => crawls.get(id)?.push(clock.now());
    engine.on('userDone', ({ id }) => seen(id));
    engine.on('userNotFound', ({ id }) => seen(id));
    await state.add(replica.usernames);
    let runs = 0;
    let firstRequests = 0;
    while (clock.now() <= END) {
      const summary = await engine.run();
      runs++;
      if (summary.failed > 0)
        throw new Error(`${summary.failed} users failed at ${new Date(clock.now()).toISOString()}`);
      if (runs === 1) firstRequests = replica.stats().total;
      const next = (await state.dueSummary(clock.now())).nextDueAt;
      if (next === undefined) break;
      clock.set(Math.max(next, clock.now() + cronMinutes * 60_000));
    }
    const requests = replica.stats().total;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rule, requests, refreshRequests: requests - firstRequests, crawls, runs, seconds };
  } finally {
    http.close();
    await state.close();
    await results.close();
    await replica.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const byRule: RuleResult[] = [];
for (const rule of rules) {
  const result = await crawlWith(rule);
  console.log(`${rule}: ${result.runs} runs in ${result.seconds.toFixed(0)} s, ${result.requests} requests`);
  byRule.push(result);
}

// The truth, from a replica on the same seed and start (the world is a function of time alone).
const truthClock = manualClock(START);
const truthReplica = await startReplica({
  users,
  seed: SEED,
  clock: truthClock,
  maxArticlesPerUser: MAX_ARTICLES,
});
const grid = new TruthGrid(
  (username, clockMs) => truthReplica.truth(username, truthReplica.timeAt(clockMs)),
  START,
  END,
  HOUR,
);
const names = truthReplica.usernames;
const lively = (u: string) => grid.changeDays(u);
const classes: [string, (d: number) => boolean][] = [
  ['quiet (no change on any day)', (d) => d === 0],
  ['some days', (d) => d > 0 && d < days - 1],
  ['every day', (d) => d >= days - 1],
];
const classOf = new Map(names.map((u) => [u, classes.findIndex(([, test]) => test(lively(u)))]));

const hours = (h: number) => `${h.toFixed(1)} h`;
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const table: string[][] = [];
const freshness: Freshness[] = [];
for (const r of byRule) {
  const ages: number[] = [];
  for (const u of names) ages.push(...userStaleness(grid, u, r.crawls.get(u) ?? []));
  freshness.push(summarize(ages));
}
const head = ['', ...byRule.map((r) => r.rule)];
table.push(['requests (all)', ...byRule.map((r) => String(r.requests))]);
table.push(['requests after the first crawl', ...byRule.map((r) => String(r.refreshRequests))]);
const base = byRule[0].refreshRequests;
table.push([
  `refresh requests against ${byRule[0].rule}`,
  ...byRule.map((r) => `${((100 * r.refreshRequests) / base).toFixed(0)} %`),
]);
const crawlsPerUser = (r: RuleResult, only?: number) => {
  const picked = names.filter((u) => only === undefined || classOf.get(u) === only);
  const total = picked.reduce((sum, u) => sum + (r.crawls.get(u)?.length ?? 0), 0);
  return picked.length ? (total / picked.length).toFixed(1) : '–';
};
table.push(['crawls per user', ...byRule.map((r) => crawlsPerUser(r))]);
classes.forEach(([label], k) => {
  const n = names.filter((u) => classOf.get(u) === k).length;
  table.push([`  ${label}: ${n} users`, ...byRule.map((r) => crawlsPerUser(r, k))]);
});
table.push(['staleness, mean', ...freshness.map((f) => hours(f.meanHours))]);
table.push(['staleness, 95th percentile', ...freshness.map((f) => hours(f.p95Hours))]);
table.push(['staleness, max', ...freshness.map((f) => hours(f.maxHours))]);
table.push([
  'share of user-hours out of date',
  ...freshness.map((f) => `${(100 * f.staleShare).toFixed(0)} %`),
]);

console.log(
  `\n${users} users (seed ${SEED}, up to ${MAX_ARTICLES} articles each), ${days} replica days, a run every ${cronMinutes} min at most`,
);
console.log(row(head));
console.log(row(head.map(() => '---')));
for (const cells of table) console.log(row(cells));
await truthReplica.close();
