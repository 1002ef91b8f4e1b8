/**
 * HTTP crawl throughput against the local CSDN replica, and its limit.
 *
 *   npx vite-node bench/http-crawl.ts            # 2,000 users, concurrency 16, latency 0 and 50 ms
 *   BENCH_USERS=500 BENCH_CONCURRENCY=8 BENCH_LATENCIES=50 BENCH_ROUNDS=3 npx vite-node bench/http-crawl.ts
 *
 * For each replica latency it runs a warm-up crawl (the replica builds users lazily and caches
 * them; the warm-up also records every URL requested), then prints:
 *   crawler  the engine (memory state store, SQLite result store in a temp dir, politeness off:
 *            maxInFlightPerHost = concurrency, minDelay 0) crawling every user: users/s,
 *            requests/s, CPU seconds of this process, peak RSS;
 *   limit    a bare loop over the very URLs the crawler requested (recorded on the way), same
 *            HTTP client, same concurrency: requests/s, CPU seconds;
 *   fetch    the same bare loop with the built-in fetch (undici), to justify node:http;
 * and the ratio crawler requests/s / limit requests/s (goal at 50 ms: >= 90 %). Limit and crawl
 * alternate for BENCH_ROUNDS rounds (default 2) and the best of each is compared, since the
 * machine the figures come from is shared.
 *
 * BENCH_RESULTS=none swaps the SQLite result store for one that stores nothing, to show what the
 * (synchronous) result writes cost the crawl.
 *
 * The replica runs in a child process so that the CPU and memory figures are the crawler's own.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/resolve-config.js';
import { createEngine, GRAPH_OFF } from '../src/core/engine/index.js';
import type { HttpClient } from '../src/core/http-client.js';
import type { ResultStore } from '../src/core/result-store.js';
import { engineOptionsFromConfig } from '../src/crawler/engine-options.js';
import { createHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';
import { isReplicaRole, serveToParent, startReplicaProcess } from './replica-process.js';

const USERS = Number(process.env.BENCH_USERS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,50').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SEED = 7;

interface ReplicaInfo {
  url: string;
  usernames: string[];
}

// ---- child role: serve the replica ---------------------------------------------------------
if (isReplicaRole()) {
  const { startReplica } = await import('../src/testing/replica/index.js');
  // Faults none, plus a fixed latency per response.
  const replica = await startReplica({
    users: USERS,
    seed: SEED,
    faults: { latencyMs: Number(process.env.BENCH_LATENCY ?? 0) },
  });
  serveToParent(replica, { url: replica.url, usernames: replica.usernames } satisfies ReplicaInfo);
} else {
  await main();
}

function recording(client: HttpClient, urls: string[]): HttpClient {
  return {
    get: (url, options) => {
      urls.push(url);
      return client.get(url, options);
    },
    setCookies: (host, cookies) => client.setCookies(host, cookies),
    clearCookies: (host) => client.clearCookies(host),
  };
}

async function measure<T>(work: () => Promise<T>) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await work();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

async function bareLoop(urls: string[], get: (url: string) => Promise<unknown>) {
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < urls.length) {
        const url = urls[next++];
        await get(url).catch(() => failures++);
      }
    }),
  );
  return failures;
}

/** BENCH_RESULTS=none: results go nowhere, to see what the SQLite writes cost the crawl. */
function nullResultStore(): ResultStore {
  return {
    async saveUser() {},
    async saveOutcome() {},
    async getUser() {
      return undefined;
    },
    async getArticles() {
      return [];
    },
    async getSnapshots() {
      return [];
    },
    async getEdges() {
      return { follows: [], fans: [] };
    },
    async *iterateUsers() {},
    async counts() {
      return { users: 0, articles: 0, snapshots: 0, edges: 0 };
    },
    async close() {},
  };
}

async function crawlOnce(replica: ReplicaInfo, urls: string[]) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-http-crawl-'));
  const state = await openKeyvStateStore();
  const results =
    process.env.BENCH_RESULTS === 'none'
      ? nullResultStore()
      : await openSqliteResultStore(path.join(dir, 'results.sqlite'));
  const http = createHttpClient({ maxSockets: CONCURRENCY });
  try {
    // The schema's defaults (as createCrawler gets them), with the bench's own settings on top;
    // graph off and discovered IDs to pending, as the bench's hand-built engine always had.
    const config = resolveConfig([
      {
        source: 'bench',
        values: {
          concurrency: CONCURRENCY,
          politeness: { maxInFlightPerHost: CONCURRENCY, minDelayMs: 0 },
          driver: 'http',
          snapshots: { dir: path.join(dir, 'snapshots') },
        },
      },
    ]);
    const engine = createEngine({
      ...engineOptionsFromConfig(config, {
        site: createCsdnAdapter({ baseUrl: replica.url }),
        state,
        results,
        http: recording(http, urls),
        workerId: 'bench',
        ids: replica.usernames,
      }),
      graph: GRAPH_OFF,
      promoteBacklog: undefined,
    });
    return await measure(() => engine.run());
  } finally {
    http.close();
    await state.close();
    await results.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runOne(latencyMs: number) {
  const replica = await startReplicaProcess<ReplicaInfo>(fileURLToPath(import.meta.url), {
    BENCH_LATENCY: String(latencyMs),
  });
  try {
    // The replica generates users lazily and caches them: a first crawl warms it up (and records
    // the URLs), so that the limit and the measured crawl meet the same warm server.
    const urls: string[] = [];
    const warm = await crawlOnce(replica, urls);
    console.log(
      `latency ${latencyMs} ms | warm-up crawl: ${warm.value.done} done in ${warm.seconds.toFixed(1)} s, ${urls.length} requests`,
    );

    const viaFetch = await measure(() =>
      bareLoop(urls, async (url) => {
        const response = await fetch(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
        await response.text();
      }),
    );
    console.log(
      `latency ${latencyMs} ms | bare fetch loop, same URLs: ${(urls.length / viaFetch.seconds).toFixed(0)} req/s, CPU ${viaFetch.cpuSeconds.toFixed(1)} s`,
    );

    // The machine is shared: alternate limit and crawl, and compare the best round of each.
    let bestLimit: { rate: number; cpuPerRequest: number } | undefined;
    let bestCrawl: { rate: number; cpuPerRequest: number } | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const limitClient = createHttpClient({ maxSockets: CONCURRENCY });
      const limit = await measure(() => bareLoop(urls, (url) => limitClient.get(url)));
      limitClient.close();
      const limitRate = urls.length / limit.seconds;
      console.log(
        `latency ${latencyMs} ms | round ${round} limit (bare node:http loop, same ${urls.length} URLs): ${limitRate.toFixed(0)} req/s, CPU ${limit.cpuSeconds.toFixed(1)} s, ${limit.value} failures`,
      );
      if (!bestLimit || limitRate > bestLimit.rate) {
        bestLimit = { rate: limitRate, cpuPerRequest: limit.cpuSeconds / urls.length };
      }

      const crawl = await crawlOnce(replica, []);
      const s = crawl.value;
      const finished = s.done + s.notfound + s.failed;
      const crawlRate = s.requests / crawl.seconds;
      console.log(
        `latency ${latencyMs} ms | round ${round} crawler: ${finished} users (${s.done} done, ${s.notfound} notfound, ${s.failed} failed) in ${crawl.seconds.toFixed(1)} s = ${(finished / crawl.seconds).toFixed(1)} users/s, ${crawlRate.toFixed(0)} req/s, CPU ${crawl.cpuSeconds.toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
      );
      if (!bestCrawl || crawlRate > bestCrawl.rate) {
        bestCrawl = { rate: crawlRate, cpuPerRequest: crawl.cpuSeconds / s.requests };
      }
    }
    console.log(
      `latency ${latencyMs} ms | best crawler / best limit = ${((bestCrawl!.rate / bestLimit!.rate) * 100).toFixed(0)} % of the request rate; CPU per request: crawler ${(bestCrawl!.cpuPerRequest * 1e3).toFixed(2)} ms, node:http ${(bestLimit!.cpuPerRequest * 1e3).toFixed(2)} ms, fetch ${((viaFetch.cpuSeconds / urls.length) * 1e3).toFixed(2)} ms`,
    );
  } finally {
    await replica.close();
  }
}

async function main() {
  console.log(
    `bench/http-crawl: ${USERS} users, concurrency ${CONCURRENCY}, node ${process.version}, ${os.cpus().length} CPUs`,
  );
  for (const latency of LATENCIES) await runOne(latency);
}
