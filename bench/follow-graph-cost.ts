/**
 * What storing the follow graph costs in requests, measured on the local CSDN replica.
 *
 *   npx vite-node bench/follow-graph-cost.ts                  # 1,000 users, seed 7
 *   BENCH_USERS=300 BENCH_SEED=3 npx vite-node bench/follow-graph-cost.ts
 *
 * Crawls the same users over HTTP with the graph off, follows only, and the default (follows
 * and fans, fans capped at 200), and prints per crawled user the requests of each endpoint the
 * replica counted (`replica.stats()`), the follows/fans list pages among them, and the edges
 * stored. Counts, not times: the figures are the same on any machine.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CrawlerConfig } from '../src/config/schema.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { openResultStore } from '../src/stores/open.js';
import { startReplica } from '../src/testing/replica/index.js';

const users = Number(process.env.BENCH_USERS ?? 1000);
const seed = Number(process.env.BENCH_SEED ?? 7);

const modes: [string, CrawlerConfig['graph']][] = [
  ['graph off', { follows: false, fans: false }],
  ['follows only', { fans: false }],
  ['default (fans <= 200)', {}],
];

const replica = await startReplica({ users, seed, maxArticlesPerUser: 300 });
const work = await mkdtemp(path.join(os.tmpdir(), 'graph-cost-'));
try {
  console.log(`${users} replica users, seed ${seed}; requests per crawled user`);
  console.log('mode                   | total | home | articles | follows | fans | edges/user');
  for (const [name, graph] of modes) {
    const before = replica.stats().endpoints;
    const results = path.join(work, `${name.replace(/\W+/g, '-')}.sqlite`);
    const summary = await createCrawler({
      baseUrl: replica.url,
      dataDir: path.join(work, name.replace(/\W+/g, '-')),
      store: 'memory',
      results,
      ids: replica.usernames,
      concurrency: 16,
      driver: 'http',
      politeness: { maxInFlightPerHost: 16, minDelayMs: 0 },
      graph,
    }).run();
    const after = replica.stats().endpoints;
    const d = (e: string) => ((after[e] ?? 0) - (before[e] ?? 0)) / summary.done;
    const total = Object.keys(after).reduce((sum, e) => sum + (after[e] ?? 0) - (before[e] ?? 0), 0);
    const store = await openResultStore(results);
    const { edges } = await store.counts();
    await store.close();
    const cells = [
      total / summary.done,
      d('home'),
      d('business-list') + d('tab-total'),
      d('follow-list'),
      d('fans-list'),
      edges / summary.done,
    ].map((n) => n.toFixed(2).padStart(5));
    console.log(`${name.padEnd(22)} | ${cells.join(' | ')}`);
  }
} finally {
  await replica.close();
  await rm(work, { recursive: true, force: true });
}
