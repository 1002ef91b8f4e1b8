/**
 * Using csdn-crawl from a script: crawl a few users of the local replica into a temporary data
 * directory, follow progress through events, then read the results back.
 *
 *   npx vite-node examples/crawl-with-createCrawler.ts
 *
 * Against the real site, drop the replica and the baseUrl, and pass real IDs (be polite: keep
 * the default politeness settings).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCrawler, openResultStore } from '../src/index.js';
import { startReplica } from '../src/testing/replica/index.js';

const replica = await startReplica({ users: 20, seed: 1, faults: 'realistic' });
const dataDir = mkdtempSync(path.join(tmpdir(), 'csdn-crawl-example-'));

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

const crawler = createCrawler({
  baseUrl: replica.url,
  dataDir,
  ids: replica.usernames.slice(0, 10),
  concurrency: 4,
  driver: 'http',
  politeness: { maxInFlightPerHost: 4, minDelayMs: 0 },
  signal: controller.signal,
});
crawler.on('userDone', (e) => console.log(`done ${e.id}: ${e.articles} articles in ${e.ms} ms`));
crawler.on('userFailed', (e) => console.log(`failed ${e.id}: ${e.reason}`));
const summary = await crawler.run();
console.log(summary);

const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
const first = await results.getUser(replica.usernames[0]);
console.log(first?.profile);
console.log((await results.getArticles(replica.usernames[0])).slice(0, 3));
await results.close();
await replica.close();
