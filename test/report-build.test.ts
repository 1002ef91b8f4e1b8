import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserResult } from '../src/core/model.js';
import { buildReport, type ReportSummary, safeUserFileName } from '../src/report/index.js';
import { OVERVIEW_CHART_IDS } from '../src/report/overview-page.js';
import { USER_CHART_IDS } from '../src/report/user-page.js';
import { openSqliteResultStore, type SqliteResultStore } from '../src/stores/sqlite-result-store.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DAY = 86400_000;
const T0 = Date.UTC(2025, 2, 1);
const PAYLOAD = `<script>window.__reportPwned=1;alert('pwned')</script>`;
const HOSTILE_USER = `../../x${PAYLOAD}"'&\u2028`;
const HOSTILE_TITLE = `</script><script>window.__reportPwned=2</script><img src=x onerror="alert(3)"> & "q"`;

let work: string;
let replica: Replica;
let store: SqliteResultStore;
let summary: ReportSummary;
let browser: BrowserContext;
let page: Page;
let dialogs: string[];
let known: string;

/** Crawl-shaped results from the replica's truth: three snapshots with growing counters. */
async function fillFromReplica(): Promise<void> {
  for (const [i, username] of replica.usernames.entries()) {
    const truth = replica.truth(username)!;
    if (i % 9 === 4) {
      await store.saveOutcome(username, 'failed', i % 2 ? 'timeout: article list' : `blocked ${PAYLOAD}`, T0);
      continue;
    }
    for (let s = 0; s < 3; s++) {
      const late = s === 2;
      const p = truth.profile;
      const result: UserResult = {
        username,
        source: 'api',
        profile: late
          ? p
          : {
              ...p,
              fansCount: Math.max(0, (p.fansCount ?? 0) - (2 - s) * (3 + (i % 5))),
              viewCount: Math.max(0, (p.viewCount ?? 0) - (2 - s) * 500),
              rank: p.rank === undefined ? undefined : p.rank + (2 - s) * 10,
            },
        articles: truth.articles.map((a) =>
          late ? a : { ...a, viewCount: Math.floor(a.viewCount / (3 - s)) },
        ),
        follows: late ? truth.follows : undefined,
        fans: late ? truth.fans : undefined,
      };
      await store.saveUser(result, T0 + s * 30 * DAY);
    }
  }
  for (const username of replica.missingUsernames.slice(0, 3)) {
    await store.saveOutcome(username, 'notfound', undefined, T0);
  }
  await store.saveUser(
    {
      username: HOSTILE_USER,
      source: 'api',
      profile: { username: HOSTILE_USER, nickname: PAYLOAD, fansCount: 7, viewCount: 99, rank: 5 },
      articles: [
        {
          articleId: '1',
          title: HOSTILE_TITLE,
          url: 'javascript:alert(4)',
          type: 'original',
          postTime: '2024-05-01 10:00:00',
          viewCount: 10_000_000,
          commentCount: 1,
        },
      ],
      follows: [replica.usernames[0]!, 'never-crawled'],
    },
    T0,
  );
}

async function openAndDraw(file: string): Promise<void> {
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll('.chart')).every(
        (e) => e.getAttribute('data-rendered') === 'true',
      ),
    null,
    { timeout: 20_000 },
  );
}

/** Chart ids whose canvas has no painted pixel. */
async function blankCharts(ids: readonly string[]): Promise<string[]> {
  return page.evaluate((chartIds) => {
    return chartIds.filter((id) => {
      const canvas = document.querySelector(`#${id} canvas`) as HTMLCanvasElement | null;
      if (!canvas?.width || !canvas.height) return true;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) return false;
      return true;
    });
  }, ids);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'report-test-'));
  replica = await startReplica({ users: 24, seed: 11, maxArticlesPerUser: 300 });
  store = await openSqliteResultStore(path.join(work, 'results.sqlite'));
  await fillFromReplica();
  known = replica.usernames.find((u, i) => i % 9 !== 4 && replica.truth(u)!.articles.length > 5)!;
  summary = await buildReport({
    results: store,
    outDir: path.join(work, 'report'),
    title: `Test ${PAYLOAD}`,
  });
  browser = await chromium.launchPersistentContext(path.join(work, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__cspViolations.push(e.violatedDirective));
  });
});

afterAll(async () => {
  await browser?.close();
  await store?.close();
  await replica?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('buildReport from a result store filled with replica data', () => {
  it('writes one safely named page per stored user, inside the out dir', async () => {
    const counts = await store.counts();
    const files = readdirSync(path.join(summary.outDir, 'users'));
    expect(summary.userPages).toBe(counts.users);
    expect(files).toHaveLength(counts.users);
    for (const file of files) expect(file).toMatch(/^[A-Za-z0-9_-]+-[0-9a-f]{10}\.html$/);
    expect(files).toContain(safeUserFileName(HOSTILE_USER));
    expect(readdirSync(summary.outDir).sort()).toEqual(
      [
        'echarts.min.js',
        'index.html',
        'report-overview.js',
        'report-user.js',
        'report.css',
        'users',
        'users.html',
      ].sort(),
    );
    const index = readFileSync(summary.indexFile, 'utf8');
    expect(index).not.toContain('<script>window.__reportPwned');
    expect(index).not.toMatch(/src="https?:/); // offline: no CDN
  });

  it('draws every overview chart and shows the store counts', async () => {
    await openAndDraw(summary.indexFile);
    expect(await blankCharts(OVERVIEW_CHART_IDS)).toEqual([]);
    const cards = await page.$$eval('[data-count]', (els) =>
      Object.fromEntries(
        els.map((e) => [e.getAttribute('data-count'), e.querySelector('.value')!.textContent]),
      ),
    );
    const counts = await store.counts();
    expect(cards.users).toBe(counts.users.toLocaleString('en-US'));
    expect(cards.articles).toBe(counts.articles.toLocaleString('en-US'));
    const failed = replica.usernames.filter((_, i) => i % 9 === 4).length;
    expect(cards.failed).toBe(String(failed));
    expect(cards['not found']).toBe(String(Math.min(3, replica.missingUsernames.length)));
    // The hostile article has the most views: it is listed, as text.
    const firstTitle = await page.textContent('#top-articles tbody tr td:nth-child(2)');
    expect(firstTitle).toBe(HOSTILE_TITLE);
  });

  it("shows a known user's stored numbers and draws the user's charts", async () => {
    const stored = (await store.getUser(known))!;
    const articles = await store.getArticles(known);
    await openAndDraw(path.join(summary.outDir, 'users', safeUserFileName(known)));
    expect(await blankCharts(USER_CHART_IDS)).toEqual([]);
    const shown = await page.$$eval('#profile dd[data-value]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-field'), e.textContent])),
    );
    const truth = replica.truth(known)!.profile;
    for (const field of ['fansCount', 'followCount', 'viewCount', 'rank'] as const) {
      if (stored.profile?.[field] === undefined) continue;
      expect(shown[field]).toBe(stored.profile[field]!.toLocaleString('en-US'));
      expect(stored.profile[field]).toBe(truth[field]);
    }
    expect(Object.keys(shown).length).toBeGreaterThan(3);
    expect(await page.textContent('#article-count')).toBe(articles.length.toLocaleString('en-US'));
    expect(await page.$$eval('#articles tbody tr', (rows) => rows.length)).toBe(articles.length);
    expect(await page.textContent('#user-status')).toBe('done');
  });

  it('links follows to the pages that exist and to nothing else', async () => {
    await openAndDraw(path.join(summary.outDir, 'users', safeUserFileName(HOSTILE_USER)));
    const links = await page.$$eval('#follows a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual([safeUserFileName(replica.usernames[0]!)]);
    expect(await page.textContent('#follows')).toContain('never-crawled');
    // The javascript: URL was not turned into a link.
    expect(await page.$$eval('#articles a', (as) => as.length)).toBe(0);
  });

  it('never runs crawled script on any page', async () => {
    const pages = [
      summary.indexFile,
      summary.usersIndexFile,
      path.join(summary.outDir, 'users', safeUserFileName(HOSTILE_USER)),
      path.join(summary.outDir, 'users', safeUserFileName(known)),
    ];
    for (const file of pages) {
      await openAndDraw(file);
      const canvas = page.locator('.chart canvas');
      // Tooltips render crawled names: hover a chart so one is drawn.
      if ((await canvas.count()) > 0) await canvas.first().hover({ timeout: 5_000 });
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __reportPwned?: number }).__reportPwned,
        violations: (window as unknown as { __cspViolations: string[] }).__cspViolations,
      }));
      expect(state.pwned, file).toBeUndefined();
      expect(state.violations, file).toEqual([]);
    }
    expect(dialogs).toEqual([]);
    await page.goto(pathToFileURL(pages[2]!).href);
    expect(await page.textContent('h1')).toContain(PAYLOAD);
    expect(await page.textContent('#articles')).toContain(HOSTILE_TITLE);
  });
});
