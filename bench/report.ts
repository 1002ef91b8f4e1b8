/**
 * Report build at scale: `npx vite-node bench/report.ts [--users 10000] [--articles 1000000]
 * [--screenshots] [--keep]`.
 *
 * Generates synthetic users straight into a SQLite result store (through the store's own
 * saveUser/saveOutcome, no HTTP), builds the report, then loads pages in real Chromium and
 * prints how long each step took. --screenshots also writes docs/screenshots/report-*.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Article, ArticleType } from '../src/core/model.js';
import type { ResultStore } from '../src/core/result-store.js';
import { BASE_CHROMIUM_FLAGS } from '../src/drivers/chromium-flags.js';
import { buildReport, safeUserFileName } from '../src/report/index.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const USERS = option('users', 10_000);
const ARTICLES = option('articles', 1_000_000);
const SCREENSHOTS = args.includes('--screenshots');
const KEEP = args.includes('--keep');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** mulberry32: a seeded generator so every run measures the same data. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const pad = (n: number) => String(n).padStart(2, '0');
const chinaTime = (ms: number) => {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
};

const NOW = Date.UTC(2026, 10, 1);
const DAY = 86400_000;
const SNAPSHOT_TIMES = [NOW - 60 * DAY, NOW - 30 * DAY, NOW];
const TYPES: ArticleType[] = ['original', 'original', 'original', 'reprint', 'translation'];
const HOSTILE = `<script>window.__benchPwned=1</script>"'&<img src=x onerror=alert(1)>\u2028`;
const REASONS = [
  'timeout: article list page 3',
  'blocked: 521 challenge',
  'parse error: no __INITIAL_STATE__',
  'driver crash: browser closed',
];

async function generate(store: ResultStore): Promise<{ usernames: string[]; articles: number }> {
  const usernames = Array.from({ length: USERS }, (_, i) => `bench_user_${String(i).padStart(6, '0')}`);
  const outcome = usernames.map(() => {
    const roll = random();
    return roll < 0.02 ? 'notfound' : roll < 0.05 ? 'failed' : 'done';
  });
  // Heavy-tailed article counts for crawled users, scaled to the requested total.
  const weights = usernames.map((_, i) => (outcome[i] === 'done' ? Math.exp(1.1 * normal()) : 0));
  const scale = ARTICLES / weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor(w * scale));
  let missing = ARTICLES - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; missing > 0; i = (i + 1) % USERS) {
    if (outcome[i] !== 'done') continue;
    counts[i]!++;
    missing--;
  }
  const quality = usernames.map(() => Math.exp(0.9 * normal()));
  const expectedVisits = counts.map((n, i) => n * 400 * quality[i]!);
  const order = [...expectedVisits.keys()].sort((a, b) => expectedVisits[b]! - expectedVisits[a]!);
  const rank = new Array<number>(USERS);
  order.forEach((user, position) => {
    rank[user] = position + 1;
  });

  let articleId = 10_000_000;
  let written = 0;
  for (let i = 0; i < USERS; i++) {
    const username = usernames[i]!;
    if (outcome[i] === 'notfound') {
      await store.saveOutcome(username, 'notfound', undefined, NOW);
      continue;
    }
    if (outcome[i] === 'failed') {
      await store.saveOutcome(username, 'failed', REASONS[Math.floor(random() * REASONS.length)], NOW);
      continue;
    }
    const start = Date.UTC(2010, 0, 1) + random() * (NOW - 90 * DAY - Date.UTC(2010, 0, 1));
    const articles: Article[] = [];
    for (let k = 0; k < counts[i]!; k++) {
      const posted = start + random() ** 0.7 * (NOW - start);
      const id = String(articleId++);
      articles.push({
        articleId: id,
        title: k === 0 && i % 50 === 0 ? HOSTILE : `Notes on topic ${k % 97} by ${username} (#${k})`,
        url: `https://blog.csdn.net/${username}/article/details/${id}`,
        type: TYPES[Math.floor(random() * TYPES.length)]!,
        postTime: chinaTime(posted),
        viewCount: Math.floor(quality[i]! * 400 * Math.exp(1.2 * normal())),
        commentCount: Math.floor(random() * 12),
        diggCount: Math.floor(random() * 30),
        collectCount: Math.floor(random() * 40),
      });
    }
    articles.sort((a, b) => (a.postTime < b.postTime ? 1 : -1));
    const visits = articles.reduce((sum, a) => sum + a.viewCount, 0);
    const follows = Array.from(
      { length: 1 + Math.floor(random() * 8) },
      () => usernames[Math.floor(random() * USERS)]!,
    );
    let fans = Math.floor(visits / 300);
    for (const [s, at] of SNAPSHOT_TIMES.entries()) {
      const published = articles.filter((a) => a.postTime <= chinaTime(at)).length;
      if (s > 0) {
        const recent =
          published - articles.filter((a) => a.postTime <= chinaTime(SNAPSHOT_TIMES[s - 1]!)).length;
        fans += Math.max(0, Math.round(recent * 3 * quality[i]! + 2 * normal()));
      }
      const last = s === SNAPSHOT_TIMES.length - 1;
      await store.saveUser(
        {
          username,
          source: 'api',
          profile: {
            username,
            nickname: i % 50 === 0 ? HOSTILE : `Author ${i}`,
            level: 1 + (Math.floor(quality[i]! * 2) % 9),
            articleCount: published,
            originalCount: Math.floor(published * 0.6),
            rank: rank[i]! + (SNAPSHOT_TIMES.length - 1 - s) * 7,
            fansCount: fans,
            followCount: follows.length,
            viewCount: Math.floor(visits * (0.9 + 0.05 * s)),
            points: Math.floor(published * 10 + visits / 1000),
          },
          // The article rows are upserted by id: writing them with the last snapshot is enough.
          articles: last ? articles : [],
          follows: last ? follows : undefined,
        },
        at,
      );
    }
    written += articles.length;
  }
  return { usernames, articles: written };
}

const CHROMIUM_ARGS = ['--headless=new', ...BASE_CHROMIUM_FLAGS];

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'csdn-report-bench-'));
  const dbFile = path.join(work, 'results.sqlite');
  const outDir = path.join(work, 'report');
  const store = await openSqliteResultStore(dbFile);
  try {
    let t = performance.now();
    const { usernames, articles } = await generate(store);
    const generation = (performance.now() - t) / 1000;
    console.log(`generate: ${USERS} users, ${articles} articles into SQLite in ${generation.toFixed(1)} s`);

    t = performance.now();
    const summary = await buildReport({
      results: store,
      outDir,
      title: 'csdn-crawl report (benchmark data)',
    });
    const build = (performance.now() - t) / 1000;
    console.log(
      `build:    ${summary.userPages} user pages, ${summary.counts.articles} articles in ${build.toFixed(1)} s (peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB)`,
    );

    const userDir = mkdtempSync(path.join(os.tmpdir(), 'csdn-report-bench-chromium-'));
    const browser = await chromium.launchPersistentContext(userDir, {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      viewport: { width: 1360, height: 900 },
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      page.on('dialog', (d) => {
        console.error(`UNEXPECTED DIALOG: ${d.message()}`);
        void d.dismiss();
      });
      const load = async (file: string) => {
        const start = performance.now();
        await page.goto(pathToFileURL(file).href);
        await page.waitForFunction(
          () =>
            Array.from(document.querySelectorAll('.chart')).every(
              (e) => e.getAttribute('data-rendered') === 'true',
            ),
          null,
          { timeout: 30_000 },
        );
        return (performance.now() - start) / 1000;
      };
      // A first load warms Chromium's caches (echarts.min.js parse); the second is what a user sees.
      const coldOverview = await load(summary.indexFile);
      const overview = await load(summary.indexFile);
      const top = await page.evaluate(
        () => document.querySelector('#top-users a')?.getAttribute('href') ?? '',
      );
      const usersIndex = await load(summary.usersIndexFile);
      const biggest = await biggestUser(store, usernames);
      const userPage = await load(path.join(outDir, 'users', safeUserFileName(biggest.username)));
      console.log(
        `chromium: overview ${coldOverview.toFixed(2)} s cold, ${overview.toFixed(2)} s warm; users.html ${usersIndex.toFixed(2)} s; largest user page (${biggest.articles} articles) ${userPage.toFixed(2)} s`,
      );
      if ((await page.evaluate(() => (window as { __benchPwned?: number }).__benchPwned)) !== undefined) {
        console.error('UNEXPECTED: a crawled script ran');
      }
      if (SCREENSHOTS) {
        const shots = path.join(root, 'docs', 'screenshots');
        await load(summary.indexFile);
        await page.screenshot({ path: path.join(shots, 'report-overview.png'), fullPage: true });
        await load(path.join(outDir, top));
        await page.screenshot({ path: path.join(shots, 'report-user.png'), fullPage: true });
        console.log(`screenshots: ${path.relative(root, shots)}/report-overview.png, report-user.png`);
      }
    } finally {
      await browser.close();
      rmSync(userDir, { recursive: true, force: true });
    }
    console.log(`report size: ${summary.outDir}${KEEP ? ' (kept)' : ''}`);
  } finally {
    await store.close();
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  }
}

async function biggestUser(store: ResultStore, usernames: string[]) {
  let best = { username: usernames[0]!, articles: -1 };
  // Only a sample: reading every user again would measure the store, not the page.
  for (let i = 0; i < usernames.length; i += Math.max(1, Math.floor(usernames.length / 200))) {
    const n = (await store.getArticles(usernames[i]!)).length;
    if (n > best.articles) best = { username: usernames[i]!, articles: n };
  }
  return best;
}

await main();
