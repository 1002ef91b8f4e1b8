/**
 * The crawler's Prometheus metrics (docs/metrics.md), in a Registry of their own so two crawlers
 * in one process never share or collide. Fed by the engine's events, by a wrapper around the raw
 * HTTP client, and at scrape time by the state store and the browser pool. prom-client is the
 * standard Node client and brings the process collectors (RSS, heap, handles, event-loop lag);
 * it stays out of src/core, which only emits events.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from '../core/deadline.js';
import type { CrawlerEvents } from '../core/events.js';
import type { HttpClient } from '../core/http-client.js';
import { ID_SETS } from '../core/state-store.js';
import { requestKind, statusLabel } from './request-labels.js';
import { type FigureSource, readStoreFigures, type StoreFigures } from './store-figures.js';

/** What a scrape reads live; set for the length of a run. */
export interface MetricSources {
  state?: FigureSource;
  pool?: { stats(): { browsers: number; leased: number; waiting: number } };
}

type On = <E extends keyof CrawlerEvents>(
  event: E,
  listener: (payload: CrawlerEvents[E]) => void,
) => () => void;

export interface CrawlMetrics {
  readonly registry: Registry;
  /** The raw client, counting every request sent (retries and outage probes included). */
  instrumentHttp(client: HttpClient): HttpClient;
  /** Count the engine's events; returns the function that stops listening. */
  watch(on: On): () => void;
  setSources(sources: MetricSources): void;
  /** The exposition text, as `/metrics` serves it. */
  text(): Promise<string>;
}

export interface CrawlMetricsOptions {
  /** Store figures are reused for this long, so frequent scrapes do not load the store. */
  storeCacheMs?: number;
  /** A store slower than this leaves its gauges empty for the scrape (and counts a failure). */
  storeTimeoutMs?: number;
}

/** The store's figures as `status --json` reads them (store-figures.ts), when the store answered. */
interface ScrapeFigures extends Partial<StoreFigures> {
  /** Whether the store answered in time; undefined outside a run. */
  ok?: boolean;
}

const P = 'csdn_crawl_';
const DUE_WINDOWS = [
  ['now', 'dueNow'],
  ['next_hour', 'nextHour'],
  ['next_day', 'nextDay'],
  ['later', 'later'],
] as const;

export function createCrawlMetrics(options: CrawlMetricsOptions = {}): CrawlMetrics {
  const storeCacheMs = options.storeCacheMs ?? 5000;
  const storeTimeoutMs = options.storeTimeoutMs ?? 2000;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  let sources: MetricSources = {};

  const done = new Counter({ name: `${P}users_done_total`, help: 'Users crawled and stored', registers });
  const notfound = new Counter({
    name: `${P}users_notfound_total`,
    help: 'Users judged not found',
    registers,
  });
  const failed = new Counter({
    name: `${P}users_failed_total`,
    help: 'Users that ended failed, by error code',
    labelNames: ['code'],
    registers,
  });
  const released = new Counter({
    name: `${P}users_released_total`,
    help: 'Users returned to pending (stop, outage, throttling, store trouble), by error code',
    labelNames: ['code'],
    registers,
  });
  const usersInFlight = new Gauge({
    name: `${P}users_in_flight`,
    help: 'Users being crawled or written (updated every second)',
    registers,
  });
  const requests = new Counter({
    name: `${P}requests_total`,
    help: 'HTTP requests sent, by status (2xx, 3xx, 4xx, 5xx, 403, 404, 429, error) and endpoint kind',
    labelNames: ['status', 'kind'],
    registers,
  });
  const requestsInFlight = new Gauge({
    name: `${P}requests_in_flight`,
    help: 'HTTP requests waiting for their answer',
    registers,
  });
  const requestSeconds = new Histogram({
    name: `${P}request_duration_seconds`,
    help: 'Time to a complete answer (or the error), by endpoint kind',
    labelNames: ['kind'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const hostRate = new Gauge({
    name: `${P}host_request_rate`,
    help: 'The adaptive request rate per host: request starts per second allowed now',
    labelNames: ['host'],
    registers,
  });
  const rateCuts = new Counter({
    name: `${P}rate_cuts_total`,
    help: 'Times the adaptive rate of a host was cut, by reason (HTTP 429, HTTP 403 wall, timeouts, latency, ...)',
    labelNames: ['host', 'reason'],
    registers,
  });
  const downHosts = new Set<string>();
  new Gauge({
    name: `${P}sites_down`,
    help: 'Hosts the outage monitor considers down',
    registers,
    collect() {
      this.set(downHosts.size);
    },
  });

  let cached: (ScrapeFigures & { at: number }) | undefined;
  let reading: Promise<ScrapeFigures> | undefined;
  let storeFailures = 0;

  /** Counts and due summary, cached; a slow store costs one scrape its gauges, never a hang. */
  function storeFigures(): Promise<ScrapeFigures> {
    const state = sources.state;
    if (!state) return Promise.resolve({});
    if (cached && Date.now() - cached.at < storeCacheMs) return Promise.resolve(cached);
    if (reading) return reading;
    const read: Promise<ScrapeFigures> = readStore(state).then((figures) => {
      // A read that outlived its run must not stand for the next one.
      if (sources.state === state) cached = { ...figures, at: Date.now() };
      if (reading === read) reading = undefined;
      return figures;
    });
    reading = read;
    return read;
  }

  async function readStore(state: NonNullable<MetricSources['state']>): Promise<ScrapeFigures> {
    const bound = <T>(work: Promise<T>) => withTimeout(work, storeTimeoutMs, 'state store read for metrics');
    try {
      return { ok: true, ...(await readStoreFigures(state, { bound })) };
    } catch {
      storeFailures++;
      return { ok: false };
    }
  }

  // Every figure read from the store awaits the same read, so one scrape shows one consistent read.
  new Gauge({
    name: `${P}store_up`,
    help: 'Whether the state store answered the last read for metrics in time (1) or not (0)',
    registers,
    async collect() {
      const { ok } = await storeFigures();
      if (ok !== undefined) this.set(ok ? 1 : 0);
    },
  });
  new Counter({
    name: `${P}store_read_failures_total`,
    help: 'Reads of the state store for metrics that failed or passed their deadline',
    registers,
    async collect() {
      await storeFigures();
      this.reset();
      this.inc(storeFailures);
    },
  });
  new Gauge({
    name: `${P}ids`,
    help: 'IDs per set of the state store (all workers)',
    labelNames: ['set'],
    registers,
    async collect() {
      const { counts } = await storeFigures();
      this.reset();
      if (counts) for (const set of ID_SETS) this.set({ set }, counts[set]);
    },
  });
  new Gauge({
    name: `${P}due`,
    help: 'Users whose refresh is due now, in the next hour, the next day, or later (stores with due times)',
    labelNames: ['window'],
    registers,
    async collect() {
      const { due } = await storeFigures();
      this.reset();
      if (due) for (const [window, key] of DUE_WINDOWS) this.set({ window }, due[key]);
    },
  });
  new Gauge({
    name: `${P}next_due_timestamp_seconds`,
    help: 'When the next refresh is due (0: none scheduled)',
    registers,
    async collect() {
      const { due } = await storeFigures();
      this.set(due?.nextDueAt ? due.nextDueAt / 1000 : 0);
    },
  });

  const poolGauge = (
    name: string,
    help: string,
    read: (s: { browsers: number; leased: number; waiting: number }) => number,
  ) =>
    new Gauge({
      name: `${P}${name}`,
      help,
      registers,
      collect() {
        const stats = sources.pool?.stats();
        this.set(stats ? read(stats) : 0);
      },
    });
  poolGauge('browsers_open', 'Browsers running or starting', (s) => s.browsers);
  poolGauge('browser_pages_open', 'Browser pages leased out now', (s) => s.leased);
  poolGauge('browser_pages_waiting', 'Users waiting for a browser page', (s) => s.waiting);

  return {
    registry,
    instrumentHttp(client) {
      return {
        async get(url, request) {
          const kind = requestKind(url);
          const end = requestSeconds.startTimer({ kind });
          requestsInFlight.inc();
          let status: number | undefined;
          try {
            const response = await client.get(url, request);
            status = response.status;
            return response;
          } finally {
            requestsInFlight.dec();
            end();
            requests.inc({ status: statusLabel(status), kind });
          }
        },
        setCookies: (host, cookies) => client.setCookies(host, cookies),
        clearCookies: (host) => client.clearCookies(host),
      };
    },
    watch(on) {
      const offs = [
        on('userDone', () => done.inc()),
        on('userNotFound', () => notfound.inc()),
        on('userFailed', ({ code }) => failed.inc({ code })),
        on('userReleased', ({ code }) => released.inc({ code })),
        on('progress', ({ inFlight, rates }) => {
          usersInFlight.set(inFlight);
          for (const [host, rate] of Object.entries(rates ?? {})) hostRate.set({ host }, rate);
        }),
        on('rateChange', ({ host, from, to, reason }) => {
          hostRate.set({ host }, to);
          if (to < from) rateCuts.inc({ host, reason });
        }),
        on('siteDown', ({ host }) => downHosts.add(host)),
        on('siteUp', ({ host }) => downHosts.delete(host)),
      ];
      return () => {
        for (const off of offs) off();
        usersInFlight.set(0);
        hostRate.reset();
        downHosts.clear();
      };
    },
    setSources(next) {
      sources = next;
      cached = undefined;
      reading = undefined;
    },
    text: () => registry.metrics(),
  };
}
