import { readIdsFile } from '../config/read-ids-file.js';
import { type ConfigLayer, resolveConfig } from '../config/resolve-config.js';
import type { CrawlerConfig, ResolvedConfig } from '../config/schema.js';
import type { BrowserDriver } from '../core/browser-driver.js';
import { type Crawler, type CrawlerEvents, createEngine, type RunSummary } from '../core/engine/index.js';
import { InvalidInputError } from '../core/errors.js';
import type { FleetBudget } from '../core/fleet-budget.js';
import type { HttpClient } from '../core/http-client.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { normalizeIds } from '../core/normalize-ids.js';
import type { ResultStore } from '../core/result-store.js';
import type { SiteAdapter } from '../core/site-adapter.js';
import type { StateStore } from '../core/state-store.js';
import { createHttpClient } from '../drivers/http.js';
import { createSiteAdapter } from './default-site.js';
import { engineOptionsFromConfig } from './engine-options.js';
import type { CrawlMetrics } from './metrics.js';
import { type MetricsServer, serveMetrics } from './metrics-server.js';
import { fleetBudgetFor, openStores } from './open-stores.js';
import { openPagePool, type PagePoolHandle } from './page-pool.js';
import { acquireWorkerSlot } from './worker-slot.js';

/** Everything in the config file, plus live objects that replace what the config would build. */
export interface CreateCrawlerOptions extends CrawlerConfig {
  /** A site adapter; default: CSDN at `baseUrl`. */
  site?: SiteAdapter;
  /** A state store instance; overrides `store`. Not closed by the crawler. */
  stateStore?: StateStore;
  /** A result store instance; overrides `results`. Not closed by the crawler. */
  resultStore?: ResultStore;
  /**
   * The politeness budget to share with other crawlers (a `MemoryFleetBudget` for several in one
   * process); default: the Redis state store's, see `politeness.fleetBudget`. Not closed by the crawler.
   */
  fleetBudget?: FleetBudget;
  /** A browser driver instance; overrides `driver`. */
  browserDriver?: BrowserDriver;
  httpClient?: HttpClient;
  /** Aborting it stops the crawl as `stop()` does. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Called with each rejected ID; the rest proceed. Default: a warning on the logger. */
  onInvalidId?: (input: string, reason: string) => void;
}

const LIVE_KEYS = [
  'site',
  'stateStore',
  'resultStore',
  'browserDriver',
  'fleetBudget',
  'httpClient',
  'signal',
  'logger',
  'onInvalidId',
] as const;

export interface CsdnCrawler {
  /** Crawl until pending is empty (or stop); resolves with the summary. */
  run(): Promise<RunSummary>;
  /** Graceful stop: no new claims, in-flight users finish within stopTimeoutMs or go back to pending. */
  stop(): Promise<void>;
  on<E extends keyof CrawlerEvents>(event: E, listener: (payload: CrawlerEvents[E]) => void): () => void;
  /** The resolved configuration. */
  readonly config: ResolvedConfig;
  /** Where `/metrics` is served while a run lasts (with `metrics` in the config); undefined otherwise. */
  readonly metricsUrl: string | undefined;
  /** The Prometheus exposition text (with `metrics` in the config; also after a run). */
  metricsText(): Promise<string>;
}

/**
 * The public entry point. Validates options at once (an unknown key throws ConfigError);
 * opens stores and browsers only in run(), and closes what it opened before run() settles.
 */
export function createCrawler(options: CreateCrawlerOptions = {}): CsdnCrawler {
  const values: Record<string, unknown> = { ...options };
  for (const key of LIVE_KEYS) delete values[key];
  const layer: ConfigLayer = { source: 'createCrawler options', values };
  const config = resolveConfig([layer]);
  const logger = options.logger ?? silentLogger;
  const listeners: { event: keyof CrawlerEvents; listener: (payload: never) => void }[] = [];
  let engine: Crawler | undefined;
  let stopRequested = false;
  // One registry per crawler for its whole life: counters keep counting across its runs.
  let metrics: CrawlMetrics | undefined;
  let metricsServer: MetricsServer | undefined;

  async function run(): Promise<RunSummary> {
    const site = options.site ?? createSiteAdapter(config);
    const raw = [...config.ids, ...(config.idsFile ? await readIdsFile(config.idsFile) : [])];
    const { valid, invalid } = normalizeIds(site, raw);
    for (const { input, reason } of invalid) {
      if (options.onInvalidId) options.onInvalidId(input, reason);
      else logger.warn(`skipped invalid ID ${JSON.stringify(input)}: ${reason}`);
    }
    if (raw.length > 0 && valid.length === 0) {
      throw new InvalidInputError(`none of the ${raw.length} IDs given is valid`, {
        hint: 'CSDN IDs are letters, digits, _ and -, or a profile URL',
      });
    }

    // Before anything opens: a busy port ends the command here, not after a crawl without metrics.
    if (config.metrics) {
      // Loaded only when asked for: a crawl without metrics does not pay for prom-client.
      metrics ??= (await import('./metrics.js')).createCrawlMetrics();
      metricsServer = await serveMetrics(
        { contentType: metrics.registry.contentType, text: metrics.text },
        config.metrics,
      );
      logger.info(`metrics at ${metricsServer.url}`);
    }
    try {
      return await crawl(site, valid);
    } finally {
      const server = metricsServer;
      metricsServer = undefined;
      await server?.close();
    }
  }

  async function crawl(site: SiteAdapter, valid: string[]): Promise<RunSummary> {
    const opened = options.stateStore && options.resultStore ? undefined : await openStores(config);
    const state = options.stateStore ?? opened!.state;
    const results = options.resultStore ?? opened!.results;
    const slot = config.workerId ? undefined : acquireWorkerSlot(config.dataDir);
    const ownBudget = options.fleetBudget ? undefined : fleetBudgetFor(config, state);
    let pool: PagePoolHandle | undefined;
    let unwatch: (() => void) | undefined;
    try {
      if (valid.length > 0) await state.add(valid, { to: 'pending' });
      pool = await openPagePool(config, options.browserDriver, logger);
      const http = options.httpClient ?? createHttpClient({ defaultTimeoutMs: config.requestTimeoutMs });
      metrics?.setSources({ state, pool: pool?.pool });
      engine = createEngine(
        engineOptionsFromConfig(config, {
          site,
          state,
          results,
          http: metrics ? metrics.instrumentHttp(http) : http,
          workerId: config.workerId ?? slot!.workerId,
          signal: options.signal,
          logger,
          pagePool: pool?.pool,
          fleetBudget: options.fleetBudget ?? ownBudget,
        }),
      );
      const running = engine;
      unwatch = metrics?.watch((event, listener) => running.on(event, listener));
      for (const { event, listener } of listeners) engine.on(event, listener as never);
      if (stopRequested) void engine.stop();
      return await engine.run();
    } finally {
      engine = undefined;
      unwatch?.();
      metrics?.setSources({});
      await pool?.close();
      await ownBudget?.close();
      await opened?.close();
      slot?.release();
    }
  }

  return {
    config,
    run,
    get metricsUrl() {
      return metricsServer?.url;
    },
    metricsText: () => metrics?.text() ?? Promise.resolve(''),
    async stop() {
      stopRequested = true;
      await engine?.stop();
    },
    on(event, listener) {
      const entry = { event, listener: listener as (payload: never) => void };
      listeners.push(entry);
      const off = engine?.on(event, listener);
      return () => {
        const index = listeners.indexOf(entry);
        if (index >= 0) listeners.splice(index, 1);
        off?.();
      };
    },
  };
}
