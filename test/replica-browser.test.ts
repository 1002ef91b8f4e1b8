import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Replica, startReplica } from '../src/testing/replica/index.js';

let context: BrowserContext;
let profileDir: string;
let replica: Replica;

beforeAll(async () => {
  profileDir = await mkdtemp(path.join(tmpdir(), 'replica-browser-'));
  // a fresh profile directory per run, as launchPersistentContext's user data dir
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1000, height: 700 },
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  replica = await startReplica({ users: 120, seed: 2, pagerDelayMs: [20, 60] });
});

afterAll(async () => {
  await context?.close();
  await replica?.close();
  await rm(profileDir, { recursive: true, force: true });
});

function userWith(test: (n: number) => boolean): string {
  const name = replica.usernames.find((u) => test(replica.truth(u)?.articles.length ?? -1));
  if (!name) throw new Error('no such user');
  return name;
}

describe('replica in a real browser', () => {
  it('lets a browser pass the 521 challenge; its cookie then works over plain HTTP', async () => {
    replica.setFaults({ challenge: true, challengeCookieUses: 5 });
    const page = await context.newPage();
    try {
      const user = userWith((n) => n > 0);
      const plain = await fetch(`${replica.url}/${user}`);
      expect(plain.status).toBe(521);
      await page.goto(`${replica.url}/${user}`);
      await page.waitForSelector('.user-profile-head-info-r-c', { timeout: 15_000 });
      const cookies = await context.cookies(replica.url);
      const pass = cookies.find((c) => c.name === 'acw_sc__v2');
      expect(pass?.value).toMatch(/^[0-9a-f]{40}$/);
      const reused = await fetch(`${replica.url}/community/home-api/v1/get-tab-total?username=${user}`, {
        headers: { cookie: `acw_sc__v2=${pass?.value}` },
      });
      expect(reused.status).toBe(200);
      expect((await reused.json()).data.blog).toBe(replica.truth(user)?.articles.length);
    } finally {
      replica.setFaults('none');
      await page.close();
    }
  });

  it('covers 下一页 with the 博客搬家 banner until it is closed; the pager navigates by script', async () => {
    const user = userWith((n) => n > 45 && n <= 60);
    const page = await context.newPage();
    try {
      await page.goto(`${replica.url}/${user}/article/list/1`);
      const next = page.locator('#pageBox li.js-page-next.js-page-action.ui-pager');
      await next.waitFor();
      const error = await next.click({ timeout: 1500 }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/intercepts pointer events/);
      expect(page.url()).toMatch(/\/article\/list\/1$/);
      await page.locator('.csdn-migrate-banner .close').click();
      await Promise.all([page.waitForURL(/\/article\/list\/2\??$/), next.click()]);
      const items = await page
        .locator('div.article-item-box.csdn-tracking-statistics[data-articleid]:visible')
        .count();
      expect(items).toBe(20);
      // the last page: 下一页 is there but disabled, and clicking it changes nothing
      await page.goto(`${replica.url}/${user}/article/list/3`);
      // even on a short last page the banner sits on top of the pager
      const covered = await page.evaluate(() => {
        const li = document.querySelector('#pageBox li.js-page-next');
        if (!li) return false;
        li.scrollIntoView({ block: 'center' });
        const r = li.getBoundingClientRect();
        return Boolean(
          document
            .elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
            ?.closest('.csdn-migrate-banner'),
        );
      });
      expect(covered).toBe(true);
      await page.evaluate(() => document.querySelector('.csdn-migrate-banner')?.remove());
      const last = page.locator('#pageBox li.js-page-next');
      await expect.poll(() => last.getAttribute('class')).toContain('ui-pager-disabled');
      await last.click();
      await page.waitForTimeout(300);
      expect(page.url()).toMatch(/\/article\/list\/3\??$/);
    } finally {
      await page.close();
    }
  });

  it('shows no pager at all for a single page', async () => {
    const user = userWith((n) => n > 0 && n < 20);
    const page = await context.newPage();
    try {
      await page.goto(`${replica.url}/${user}/article/list/1`);
      await page.waitForLoadState('load');
      expect(await page.locator('#pageBox li').count()).toBe(0);
      expect(await page.locator('#pageBox').count()).toBe(1);
    } finally {
      await page.close();
    }
  });
});
