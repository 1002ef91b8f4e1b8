/**
 * The three jobs bench/http-crawl.ts compares, each run in a child process of its own (so that
 * its CPU and peak RSS are its own): csdn-crawl's engine, a bare loop over the minimal URLs (the
 * limit), and the same crawl written with Crawlee's CheerioCrawler (a devDependency used here
 * only). Every job keeps at most `cap` requests in flight and gives a request 5 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../src/config/resolve-config.js';
import { createEngine, GRAPH_OFF } from '../src/core/engine/index.js';
import type { CrawlContext, SiteAdapter } from '../src/core/site-adapter.js';
import { engineOptionsFromConfig } from '../src/crawler/engine-options.js';
import { createHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';

export const REQUEST_TIMEOUT_MS = 5000;

export interface JobInput {
  url: string;
  usernames: string[];
  cap: number;
  /** The bare loop's URLs (home + the minimal list pages of every user). */
  urls?: string[];
}

export interface JobResult {
  /** Requests the job chose to make (retries after a fault not counted). */
  chosen: number;
  /** Requests the job sent again after a faulted answer (its own retries, failed attempts included). */
  retries: number;
  /** Attempts at a user that failed and were made again (csdn-crawl only). */
  failedAttempts?: number;
  users: number;
  failedUsers: number;
  /** Articles collected per user (to check against the truth). */
  articles: Record<string, number>;
  seconds: number;
  cpuMs: number;
  peakRssMb: number;
}

async function measured(work: () => Promise<Omit<JobResult, 'seconds' | 'cpuMs' | 'peakRssMb'>>) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  return { ...result, seconds, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb };
}

/**
 * csdn-crawl: the engine as `createCrawler` builds it by default (a SQLite state file, so a crash
 * resumes where it stopped, and SQLite results), graph off. In memory: the state in memory (the
 * `state: memory` setting), nothing resumable; the results still go to SQLite.
 */
export const csdnCrawlDurable = (input: JobInput) => csdnCrawl(input, true);
export const csdnCrawlInMemory = (input: JobInput) => csdnCrawl(input, false);

async function csdnCrawl(input: JobInput, stateOnDisk: boolean): Promise<JobResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-http-crawl-'));
  const state = await openKeyvStateStore(stateOnDisk ? { path: path.join(dir, 'state.sqlite') } : {});
  const results = await openSqliteResultStore(path.join(dir, 'results.sqlite'));
  const http = createHttpClient({ maxSockets: input.cap });
  const articles: Record<string, number> = {};
  let chosen = 0;
  let failedAttempts = 0;
  // Counts the adapter's own calls, per attempt: retries inside the polite client are not its
  // choice, and neither is a whole attempt repeated after a failure (a 403 wall, say).
  const site = createCsdnAdapter({ baseUrl: input.url });
  const counted: SiteAdapter = {
    ...site,
    async crawlUser(id, context) {
      const http = context.http;
      let calls = 0;
      const view: CrawlContext = Object.create(context, {
        http: {
          value: {
            get: (url: string, options?: Parameters<typeof http.get>[1]) => {
              calls++;
              return http.get(url, options);
            },
            setCookies: http.setCookies.bind(http),
            clearCookies: http.clearCookies.bind(http),
          },
        },
      });
      try {
        const result = await site.crawlUser(id, view);
        articles[id] = result.articles.length;
        chosen += calls;
        return result;
      } catch (error) {
        failedAttempts++;
        throw error;
      }
    },
  };
  try {
    const config = resolveConfig([
      {
        source: 'bench',
        values: {
          concurrency: Number(process.env.BENCH_CONCURRENCY ?? input.cap),
          politeness: { maxInFlightPerHost: input.cap, minDelayMs: 0 },
          driver: 'http',
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
          snapshots: { dir: path.join(dir, 'snapshots') },
        },
      },
    ]);
    const engine = createEngine({
      ...engineOptionsFromConfig(config, {
        site: counted,
        state,
        results,
        http,
        workerId: 'bench',
        ids: input.usernames,
      }),
      graph: GRAPH_OFF,
      promoteBacklog: undefined,
    });
    return await measured(async () => {
      const summary = await engine.run();
      return {
        chosen,
        retries: summary.requests - chosen,
        failedAttempts,
        users: summary.done + summary.notfound,
        failedUsers: summary.failed,
        articles,
      };
    });
  } finally {
    http.close();
    await state.close();
    await results.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The limit: the minimal URLs fetched in a loop, `cap` at a time, nothing parsed, no retry. */
export async function bareLoop(input: JobInput): Promise<JobResult> {
  const urls = input.urls ?? [];
  const http = createHttpClient({ maxSockets: input.cap });
  try {
    return await measured(async () => {
      let next = 0;
      let failures = 0;
      await Promise.all(
        Array.from({ length: input.cap }, async () => {
          while (next < urls.length) {
            const url = urls[next++];
            const response = await http.get(url, { timeoutMs: REQUEST_TIMEOUT_MS }).catch(() => undefined);
            if (response?.status !== 200) failures++;
          }
        }),
      );
      return {
        chosen: urls.length,
        retries: 0,
        users: input.usernames.length,
        failedUsers: failures,
        articles: {},
      };
    });
  } finally {
    http.close();
  }
}
