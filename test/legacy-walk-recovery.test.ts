import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserDriver } from '../src/core/browser-driver.js';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';
import { playwrightDriver } from '../src/drivers/playwright.js';
import { seleniumDriver } from '../src/drivers/selenium.js';
import { type LegacyBrowserOptions, walkLegacyBrowser } from '../src/sites/csdn/legacy-browser-walk.js';
import { LegacyProgressBook } from '../src/sites/csdn/legacy-walk-progress.js';
import { csdnUrls } from '../src/sites/csdn/urls.js';
import { type Replica, startReplica, type UserTruth } from '../src/testing/replica/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import { pickArticle as pick } from './helpers/truth-fields.js';

/**
 * Page-level recovery of the browser walk of the 2019 skin, on one long user (40-60 pages): a
 * broken page is reloaded by its URL and the walk goes on, and a walk that failed continues on
 * its next attempt from its last good page. The replica's per-page request count shows which
 * pages were read again.
 */

/** Every fault a list page can meet, about one page in six (no hangs: those cost a deadline each). */
const PAGE_FAULTS = {
  serverError: 0.05,
  throttle: 0.03,
  throttleBare: 0.5,
  reset: 0.02,
  blank: 0.02,
  wrongPage: 0.04,
};

const drivers: Record<string, () => BrowserDriver> = {
  playwright: () => playwrightDriver(),
  selenium: () => seleniumDriver(),
};

describe.each(['playwright', 'selenium'])('legacy walk recovery with %s', (name) => {
  let browser: Browser;
  let replica: Replica;
  let http: NodeHttpClient;
  let username: string;

  beforeAll(async () => {
    process.env.SE_OFFLINE = 'true';
    browser = await drivers[name]().launch({
      executablePath: '/usr/bin/chromium',
      driverPath: '/usr/bin/chromedriver',
      headless: true,
      timeoutMs: 30_000,
    });
    replica = await startReplica({
      users: 10,
      seed: 21,
      legacyOnly: true,
      overlay: true,
      pagerDelayMs: [5, 20],
      longUsers: { count: 2, articles: [800, 1180] },
    });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
    username = replica.usernames[name === 'playwright' ? 0 : 1];
  }, 60_000);
  afterAll(async () => {
    http?.close();
    await replica?.close();
    await browser?.kill();
  });

  const walkOnce = (progress: LegacyProgressBook, options: Partial<LegacyBrowserOptions> = {}) => {
    const context = makeContext({ http, page: () => browser.newPage({ timeoutMs: 20_000 }) });
    const run = walkLegacyBrowser(username, csdnUrls(replica.url), context, {
      timeoutMs: 10_000,
      pagerTimeoutMs: 5_000,
      clickAttempts: 3,
      maxPages: 100,
      pageRetries: 6,
      retryBaseMs: 50,
      progress,
      ...options,
    });
    return { context, run };
  };
  const reads = (page: number) => replica.stats().legacyPages[`${username}/${page}`] ?? 0;

  it('reloads a broken page by its URL and goes on: page 1 is read once, the list is exact', {
    timeout: 150_000,
  }, async () => {
    const truth = replica.truth(username) as UserTruth;
    const pages = Math.ceil(truth.articles.length / 20);
    expect(pages).toBeGreaterThanOrEqual(40);
    expect(pages).toBeLessThanOrEqual(60);
    replica.setFaults(PAGE_FAULTS);
    const { context, run } = walkOnce(new LegacyProgressBook());
    const result = await run;
    replica.setFaults('none');
    expect(result.articles.map(pick)).toEqual(truth.articles.map(pick));
    expect(result.pages).toBe(pages);
    const faults = replica.stats().faults;
    const broken = ['serverError', 'throttle', 'reset', 'blank', 'wrongPage'].reduce(
      (n, k) => n + (faults[k] ?? 0),
      0,
    );
    expect(broken).toBeGreaterThan(0);
    // never back to page 1: each broken page k was reloaded as page k
    expect(reads(1)).toBe(1);
    const reloaded = context.logs.filter((l) => l.message === 'legacy list page broken; reloading it');
    expect(reloaded.length).toBeGreaterThan(0);
    for (const entry of reloaded) {
      const k = entry.fields?.page as number;
      expect(reads(k)).toBeGreaterThanOrEqual(2);
    }
    for (let k = 1; k <= pages; k++) expect(reads(k)).toBeGreaterThanOrEqual(1);
  });

  it('a failed walk continues on its next attempt from its last good page', {
    timeout: 150_000,
  }, async () => {
    const truth = replica.truth(username) as UserTruth;
    const pages = Math.ceil(truth.articles.length / 20);
    const before = (k: number) => reads(k);
    const startReads = Array.from({ length: pages + 1 }, (_, k) => before(k));
    const progress = new LegacyProgressBook();
    const first = walkOnce(progress, { pageRetries: 1 });
    // the site breaks down once the walk is a few pages in: every request is a 502 from then on
    const watch = setInterval(() => {
      if (reads(6) > startReads[6]) replica.setFaults({ serverError: 1 });
    }, 10);
    const failure = await first.run.catch((error: unknown) => error);
    clearInterval(watch);
    replica.setFaults({ serverError: 0 });
    expect(failure).toBeInstanceOf(Error);
    expect(progress.size).toBe(1);

    const second = walkOnce(progress);
    const result = await second.run;
    expect(result.articles.map(pick)).toEqual(truth.articles.map(pick));
    const resumed = second.context.logs.find(
      (l) => l.message === 'legacy walk continues where the last attempt stopped',
    );
    expect(resumed).toBeDefined();
    const from = resumed?.fields?.page as number;
    expect(from).toBeGreaterThanOrEqual(5);
    // page 1 read by each attempt; the pages between read by the first attempt only
    expect(reads(1) - startReads[1]).toBe(2);
    for (let k = 2; k < from; k++) expect(reads(k) - startReads[k]).toBe(1);
    expect(progress.size).toBe(0);
  });
});
