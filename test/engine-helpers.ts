import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTinySiteAdapter, type TinySite, type TinyUser } from '../examples/tiny-site-adapter.js';
import { resolveConfig } from '../src/config/resolve-config.js';
import {
  createEngine,
  type EngineOptions,
  type EngineParts,
  type EngineSettings,
  GRAPH_OFF,
} from '../src/core/engine/index.js';
import type { Logger } from '../src/core/logger.js';
import { engineOptionsFromConfig } from '../src/crawler/engine-options.js';
import { createHttpClient } from '../src/drivers/http.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';

export function tinyUsers(n: number, prefix = 'u'): Record<string, TinyUser> {
  const users: Record<string, TinyUser> = {};
  for (let i = 0; i < n; i++) {
    users[`${prefix}${i}`] = {
      name: `User ${i}`,
      posts: Array.from({ length: (i % 3) + 1 }, (_, k) => ({
        id: i * 100 + k,
        title: `post ${k}`,
        views: k,
      })),
    };
  }
  return users;
}

export interface LogLine {
  level: string;
  message: string;
}

export function memoryLogger(lines: LogLine[]): Logger {
  const push = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

/** Real stores: Keyv memory state, SQLite results in a temp dir. */
export async function openTestStores() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'engine-test-'));
  const state = await openKeyvStateStore();
  const results = await openSqliteResultStore(path.join(dir, 'results.sqlite'));
  return {
    dir,
    state,
    results,
    async close() {
      await state.close();
      await results.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type TestStores = Awaited<ReturnType<typeof openTestStores>>;

type Nested = 'politeness' | 'retries' | 'requestRetries' | 'discovery' | 'outage';
/** What a test sets: any setting, nested ones key by key (the rest from the schema). */
export type EngineOverrides = Partial<Omit<EngineSettings, Nested>> & {
  [K in Nested]?: Partial<EngineSettings[K]>;
};

/**
 * Engine options as createCrawler builds them (the config schema's defaults through
 * `engineOptionsFromConfig`), with a test's explicit settings on top. Three settings keep what an
 * engine built by hand always had: no follow list read for the graph, discovered IDs straight
 * to pending, the fixed rate of `politeness` (the config's `graph`, `autoPromote` and adaptive
 * rate would change what these tests exercise).
 */
export function engineOptions(options: EngineParts & EngineOverrides): EngineOptions {
  const { site, state, results, http, pagePool, signal, logger, ids, ...overrides } = options;
  const parts = { site, state, results, http, pagePool, signal, logger, ids, workerId: 'test-worker' };
  const base = engineOptionsFromConfig(resolveConfig([]), parts);
  // A fixed rate too (the `politeness` a test gives), unless it passes `rateControl` itself.
  const merged: Record<string, unknown> = {
    ...base,
    graph: GRAPH_OFF,
    promoteBacklog: undefined,
    rateControl: undefined,
  };
  for (const [key, value] of Object.entries(overrides)) {
    const old = merged[key];
    merged[key] =
      value && old && typeof value === 'object' && typeof old === 'object' && !Array.isArray(value)
        ? { ...old, ...value }
        : value;
  }
  return merged as unknown as EngineOptions;
}

/** An engine on the tiny site with quick timings; `overrides` win. */
export function tinyEngine(
  site: TinySite,
  stores: TestStores,
  overrides: EngineOverrides & Partial<EngineParts> = {},
) {
  const http = createHttpClient({ defaultTimeoutMs: 5000 });
  const engine = createEngine(
    engineOptions({
      site: createTinySiteAdapter({ baseUrl: site.url }),
      state: stores.state,
      results: stores.results,
      http,
      concurrency: 4,
      politeness: { maxInFlightPerHost: 4, minDelayMs: 0 },
      retries: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
      requestRetries: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 50 },
      requestTimeoutMs: 2000,
      userTimeoutMs: 5000,
      leaseMs: 10_000,
      stopTimeoutMs: 2000,
      workerId: 'test-worker',
      snapshotsDir: path.join(stores.dir, 'snapshots'),
      progressIntervalMs: 100,
      ...overrides,
    }),
  );
  return { engine, http };
}
