/**
 * What classifying pages by structure costs, per page, next to the substring tests it replaced
 * (the reference: fast, and wrong for a user called "404NotFound").
 *
 *   npx vite-node bench/classify.ts
 *   npx vite-node bench/classify.ts -- --rounds 400
 *
 * Pages come from the local replica (today's home page, a legacy list page, a JSON list page,
 * an adversarial user's home) and, when present, the real 2019 pages in
 * ../shared/fixtures/csdn-2019. "structural" is what the adapter does with each answer:
 * isChallengeResponse, then isNotFoundPage and parseHomePage on one parsed page (home pages)
 * or parseLegacyList + isEmptyLegacyList (list pages); "full parse" is parseHomePage /
 * parseLegacyList alone, which the crawler did before too. Prints a Markdown table.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isChallengeResponse } from '../src/sites/csdn/classify-response.js';
import { viewOf } from '../src/sites/csdn/page-structure.js';
import { isNotFoundPage, parseHomePage } from '../src/sites/csdn/parse-home.js';
import { isEmptyLegacyList, parseLegacyList } from '../src/sites/csdn/parse-legacy.js';
import { startReplica } from '../src/testing/replica/index.js';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 200;

/** The substring tests of before (the reference). */
const reference = (body: string) =>
  /"pid"\s*:\s*"404"/.test(body) ||
  /<title>\s*404/i.test(body) ||
  /<title>[^<]*安全验证/.test(body) ||
  (/acw_sc__v2/.test(body) && body.length < 50_000) ||
  /var\s+listTotal\s*=/.test(body) ||
  /空空如也/.test(body);

function structural(body: string, kind: 'home' | 'list' | 'json', user: string): void {
  if (isChallengeResponse({ status: 200, body, headers: {}, url: '' } as never)) return;
  if (kind === 'json') return;
  const view = viewOf(body);
  if (kind === 'home') {
    if (!isNotFoundPage(view)) parseHomePage(view, user);
  } else {
    parseLegacyList(view, user);
    isEmptyLegacyList(view);
  }
}

function fullParse(body: string, kind: 'home' | 'list' | 'json', user: string): void {
  if (kind === 'home') parseHomePage(body, user);
  else if (kind === 'list') parseLegacyList(body, user);
  else JSON.parse(body);
}

function time(fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / rounds;
}

const today = await startReplica({ users: 50, seed: 1 });
const legacy = await startReplica({ users: 50, seed: 1, legacyOnly: true });
const get = async (base: string, p: string) => (await fetch(`${base}${p}`)).text();
const busy = today.usernames.find((u) => (today.truth(u)?.articles.length ?? 0) >= 40) ?? today.usernames[0];
const pages: [string, 'home' | 'list' | 'json', string, string][] = [
  ["today's home (replica)", 'home', busy, await get(today.url, `/${busy}`)],
  ['adversarial home (replica)', 'home', 'adv_pager_vars', await get(today.url, '/adv_pager_vars')],
  ['legacy list page (replica)', 'list', busy, await get(legacy.url, `/${busy}/article/list/1`)],
  [
    'JSON list, 100 items (replica)',
    'json',
    busy,
    await get(today.url, `/community/home-api/v1/get-business-list?page=1&size=100&username=${busy}`),
  ],
];
await Promise.all([today.close(), legacy.close()]);
const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../shared/fixtures/csdn-2019',
);
if (existsSync(fixtures)) {
  const body = readFileSync(path.join(fixtures, 'home-2019-10-01-anonymous.html'), 'utf8');
  pages.push(['real 2019 home (fixture)', 'list', 'weixin_38171180', body]);
}

console.log(`| page | size | reference (substrings) ms | full parse ms | structural ms |`);
console.log(`|---|---|---|---|---|`);
for (const [name, kind, user, body] of pages) {
  const ref = time(() => reference(body));
  const full = time(() => fullParse(body, kind, user));
  const mine = time(() => structural(body, kind, user));
  console.log(
    `| ${name} | ${(body.length / 1024).toFixed(0)} kB | ${ref.toFixed(3)} | ${full.toFixed(2)} | ${mine.toFixed(2)} |`,
  );
}
