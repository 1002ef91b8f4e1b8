import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTinySiteAdapter, startTinySite, type TinySite } from '../examples/tiny-site-adapter.js';
import { statusCommand } from '../src/cli/commands/state-commands.js';
import { ID_SETS } from '../src/core/state-store.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { tinyUsers } from './engine-helpers.js';
import { parseProm, sumOf } from './helpers/prom-text.js';

/**
 * `status --json` and `/metrics` carry the same figures (issue 13, point 6): the sets and the
 * refreshes due (one reader, src/crawler/store-figures.ts) while a watching run sleeps, and the
 * run's outcomes by code once it stopped. Real parts: the tiny site over HTTP, the SQLite state
 * file the CLI reads, prom-client's exposition text over HTTP.
 */
let site: TinySite | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await site?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  site = undefined;
  dataDir = undefined;
});

async function statusJson(dir: string) {
  const lines: string[] = [];
  await statusCommand({ dataDir: dir, json: true }, (line) => lines.push(line));
  return JSON.parse(lines.join('\n'));
}

const ok = Object.keys(tinyUsers(5));

describe('status --json and the metrics agree', () => {
  it('on the sets, the refreshes due and the outcomes by code', { timeout: 60_000 }, async () => {
    site = await startTinySite({
      users: tinyUsers(5),
      // Two users whose answer is no JSON (PARSE) and one whose server errs (an HTTP 500).
      hook(_req, res, id) {
        if (id.startsWith('broken')) res.writeHead(200).end('<html>not json</html>');
        else if (id.startsWith('erring')) res.writeHead(500).end('oops');
        else return false;
        return true;
      },
    });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'status-metrics-'));
    const ids = [...ok, 'broken0', 'broken1', 'erring0', 'ghost'];
    const crawler = createCrawler({
      site: createTinySiteAdapter({ baseUrl: site.url }),
      ids,
      dataDir,
      driver: 'http',
      watch: true,
      metrics: { port: 0 },
      politeness: { minDelayMs: 0 },
      retries: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      // Without jitter every refresh is due 2 h after its crawl: far from the edges of the
      // status windows (now, the next hour, the next day), so two reads a moment apart agree.
      refresh: { every: '2h', min: '1h', jitter: 0 },
    });
    const finished: string[] = [];
    for (const event of ['userDone', 'userNotFound', 'userFailed'] as const) {
      crawler.on(event, ({ id }) => finished.push(id));
    }
    const run = crawler.run();
    try {
      // Asleep with nothing pending or due: the store holds still while both read it.
      let scraped = new Map<string, number>();
      for (let tries = 0; ; tries++) {
        if (tries === 500) throw new Error(`not settled: ${finished.length} of ${ids.length} users finished`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (finished.length < ids.length || !crawler.metricsUrl) continue;
        scraped = parseProm(await (await fetch(crawler.metricsUrl)).text());
        const settled = ID_SETS.reduce((n, set) => n + (scraped.get(`csdn_crawl_ids{set="${set}"}`) ?? 0), 0);
        // A scrape may show the store as read a few seconds ago (metrics cache it): wait for the final read.
        if (
          scraped.get('csdn_crawl_ids{set="leased"}') === 0 &&
          scraped.get('csdn_crawl_ids{set="done"}') === ok.length &&
          settled === ids.length
        )
          break;
      }
      const status = await statusJson(dataDir);
      for (const set of ID_SETS)
        expect(scraped.get(`csdn_crawl_ids{set="${set}"}`), set).toBe(status.counts[set]);
      expect(status.counts).toMatchObject({ done: 5, notfound: 1, failed: 3, pending: 0, leased: 0 });
      expect(scraped.get('csdn_crawl_due{window="now"}')).toBe(status.due.dueNow);
      expect(scraped.get('csdn_crawl_due{window="next_hour"}')).toBe(status.due.nextHour);
      expect(scraped.get('csdn_crawl_due{window="next_day"}')).toBe(status.due.nextDay);
      expect(scraped.get('csdn_crawl_due{window="later"}')).toBe(status.due.later);
      expect(status.due).toMatchObject({ dueNow: 0, nextHour: 0, nextDay: 5, later: 1 });
      expect(scraped.get('csdn_crawl_next_due_timestamp_seconds')).toBe(status.due.nextDueAt / 1000);
    } finally {
      await crawler.stop();
    }
    const summary = await run;
    expect(summary.stoppedBy).toBe('signal');

    // Stopped: the run's summary (status's `lastRun`) and the counters count the same outcomes.
    const { lastRun } = await statusJson(dataDir);
    const counters = parseProm(await crawler.metricsText());
    expect(counters.get('csdn_crawl_users_done_total')).toBe(lastRun.done);
    expect(counters.get('csdn_crawl_users_notfound_total')).toBe(lastRun.notfound);
    expect(lastRun).toMatchObject({ done: 5, notfound: 1, failed: 3 });
    const codes = Object.keys(lastRun.failedByCode);
    expect(codes.length).toBe(2);
    for (const code of codes) {
      expect(sumOf(counters, 'csdn_crawl_users_failed_total', { code }), code).toBe(
        lastRun.failedByCode[code],
      );
    }
    expect(sumOf(counters, 'csdn_crawl_users_failed_total')).toBe(lastRun.failed);
    expect(sumOf(counters, 'csdn_crawl_users_released_total')).toBe(lastRun.released);
    expect(lastRun.releasedByCode).toEqual({});
    expect(sumOf(counters, 'csdn_crawl_requests_total')).toBe(lastRun.requests);
    // The text names the codes too.
    const text: string[] = [];
    await statusCommand({ dataDir }, (line) => text.push(line));
    const line = text.find((l) => l.startsWith('last run'));
    for (const code of codes) expect(line).toContain(`${code} ${lastRun.failedByCode[code]}`);
  });
});
