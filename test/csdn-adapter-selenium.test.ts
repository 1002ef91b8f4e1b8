import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../src/core/browser-driver.js';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';
import { seleniumDriver } from '../src/drivers/selenium.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { type Replica, startReplica, type UserTruth } from '../src/testing/replica/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';
import { pickArticle as pick } from './helpers/truth-fields.js';

/** The seed's setting: Selenium + chromedriver (what ARM boards have), the banner over the pager. */

describe('CSDN adapter with the selenium driver', () => {
  let browser: Browser;
  let replica: Replica;
  let http: NodeHttpClient;

  beforeAll(async () => {
    process.env.SE_OFFLINE = 'true';
    browser = await seleniumDriver().launch({
      executablePath: '/usr/bin/chromium',
      driverPath: '/usr/bin/chromedriver',
      headless: true,
      timeoutMs: 30_000,
    });
    replica = await startReplica({
      users: 120,
      seed: 5,
      legacyOnly: true,
      overlay: true,
      pagerDelayMs: [20, 100],
      faults: { challenge: true, challengeCookieUses: 0 },
    });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    http?.close();
    await replica?.close();
    await browser?.kill();
  });

  it('passes the challenge, then walks the legacy pager by clicking', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pagerTimeoutMs: 5000 });
    const username = replica.usernames.find((u) => {
      const n = (replica.truth(u) as UserTruth).articles.length;
      return n > 40 && n <= 80;
    });
    expect(username).toBeDefined();
    const context = makeContext({
      http,
      page: () => browser.newPage({ timeoutMs: 20_000 }),
      browserMode: 'always',
    });
    const result = await adapter.crawlUser(username as string, context);
    const truth = replica.truth(username as string) as UserTruth;
    expect(result.source).toBe('legacy-browser');
    expect(result.articles.map(pick)).toEqual(truth.articles.map(pick));
    expect(result.profile.viewCount).toBe(truth.profile.viewCount);
    expect(context.pagesLeased).toBe(2); // one challenge pass, one walk
    expect(context.pagesReleased).toBe(2);
  });
});
