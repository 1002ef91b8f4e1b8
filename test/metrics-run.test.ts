import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { parseProm, sumOf } from './helpers/prom-text.js';

const listeningServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('run with metrics on the replica', () => {
  let replica: Replica;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'csdn-metrics-'));

  beforeAll(async () => {
    replica = await startReplica({ users: 30, seed: 11, faults: 'none', maxArticlesPerUser: 120 });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /metrics during the run; the counters equal the summary and the replica own counts', {
    timeout: 60_000,
  }, async () => {
    const crawler = createCrawler({
      baseUrl: replica.url,
      dataDir,
      store: 'memory',
      ids: [...replica.usernames, ...replica.missingUsernames],
      concurrency: 4,
      driver: 'http',
      politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
      metrics: { port: 0 },
    });
    const serversBefore = listeningServers();
    let scrape: Promise<{ status: number; type: string | null; body: string }> | undefined;
    let urlDuring: string | undefined;
    crawler.on('userDone', () => {
      if (scrape) return;
      urlDuring = crawler.metricsUrl;
      scrape = fetch(urlDuring!).then(async (r) => ({
        status: r.status,
        type: r.headers.get('content-type'),
        body: await r.text(),
      }));
    });
    const summary = await crawler.run();
    expect(summary.done).toBe(replica.usernames.length);
    expect(summary.notfound).toBe(replica.missingUsernames.length);

    // During: a real scrape over HTTP, with the store's sets and the process collectors.
    expect(urlDuring).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const during = await scrape!;
    expect(during.status).toBe(200);
    expect(during.type).toContain('text/plain');
    const live = parseProm(during.body);
    expect(live.get('csdn_crawl_ids{set="pending"}')).toBeGreaterThanOrEqual(0);
    expect(live.get('csdn_crawl_store_up')).toBe(1);
    expect(live.get('csdn_crawl_users_done_total')).toBeGreaterThanOrEqual(1);
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_active_handles_total',
    ])
      expect(live.has(name), name).toBe(true);

    // After: the same registry's figures equal the run's summary.
    const after = parseProm(await crawler.metricsText());
    expect(after.get('csdn_crawl_users_done_total')).toBe(summary.done);
    expect(after.get('csdn_crawl_users_notfound_total')).toBe(summary.notfound);
    expect(sumOf(after, 'csdn_crawl_users_failed_total')).toBe(summary.failed);
    expect(sumOf(after, 'csdn_crawl_users_released_total')).toBe(summary.released);
    expect(sumOf(after, 'csdn_crawl_requests_total')).toBe(summary.requests);
    expect(after.get('csdn_crawl_requests_in_flight')).toBe(0);

    // Requests by status and by kind, checked against what the replica itself served.
    // Without faults every answer is a 200 (a missing user gets CSDN's not-found page with a 200).
    expect(sumOf(after, 'csdn_crawl_requests_total', { status: '2xx' })).toBe(summary.requests);
    const served = replica.stats().endpoints;
    const byKind = (kind: string) => sumOf(after, 'csdn_crawl_requests_total', { kind });
    expect(byKind('home')).toBe(served.home ?? 0);
    expect(byKind('list')).toBe(served['legacy-list'] ?? 0);
    expect(byKind('api-list')).toBe((served['business-list'] ?? 0) + (served['tab-total'] ?? 0));
    expect(byKind('fans')).toBe(served['fans-list'] ?? 0);
    expect(byKind('follows')).toBe(served['follow-list'] ?? 0);
    for (const kind of ['home', 'api-list', 'fans', 'follows']) expect(byKind(kind), kind).toBeGreaterThan(0);

    // Nothing left listening: the URL is gone, the port refuses, no server handle remains.
    expect(crawler.metricsUrl).toBeUndefined();
    expect(await refused(urlDuring!)).toBe(true);
    expect(listeningServers()).toBe(serversBefore);
  });
});
