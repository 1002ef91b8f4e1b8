import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Profile } from '../src/core/model.js';
import { isChallengeHtml, isChallengeResponse } from '../src/sites/csdn/classify-response.js';
import {
  isChallengePage,
  parseBusinessList,
  parseTabTotal,
  parseUserList,
} from '../src/sites/csdn/parse-api.js';
import { hasProfileModule, isNotFoundPage, parseHomePage } from '../src/sites/csdn/parse-home.js';
import {
  isEmptyLegacyList,
  isLegacyPage,
  parseLegacyList,
  parseLegacyVars,
} from '../src/sites/csdn/parse-legacy.js';
import { ADVERSARIAL_MARKERS } from '../src/testing/replica/adversarial.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';

/**
 * Generated: every adversarial user (nicknames, titles and descriptions carrying every marker
 * the classifiers ever searched for) x every page kind the replica serves x every classifier.
 */
let today: Replica;
let legacy: Replica;
let challenged: Replica;
const PAGE = 20;

async function get(base: string, p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${p}`);
  return { status: res.status, body: await res.text() };
}

beforeAll(async () => {
  today = await startReplica({ users: 12, seed: 5 });
  legacy = await startReplica({ users: 12, seed: 5, legacyOnly: true, legacyPageSize: PAGE });
  challenged = await startReplica({ users: 12, seed: 5, faults: { challenge: true } });
});

afterAll(async () => {
  await Promise.all([today?.close(), legacy?.close(), challenged?.close()]);
});

const TODAY_FIELDS: (keyof Profile)[] = [
  'username',
  'nickname',
  'level',
  'registrationTime',
  'blogUrl',
  'originalCount',
  'rank',
  'fansCount',
  'followCount',
  'viewCount',
  'likeCount',
  'commentCount',
  'favouriteCount',
];
const LEGACY_FIELDS: (keyof Profile)[] = [
  'nickname',
  'level',
  'originalCount',
  'fansCount',
  'likeCount',
  'commentCount',
  'viewCount',
  'points',
  'rank',
];

function pick(profile: Profile | undefined, fields: (keyof Profile)[]): Partial<Profile> {
  const out: Partial<Profile> = {};
  for (const f of fields) (out as Record<string, unknown>)[f] = profile?.[f];
  return out;
}

/** The answers every classifier owes a page of an existing user. */
function expectUserPage(body: string, status: number, what: string) {
  expect(isNotFoundPage(body), `${what}: not found?`).toBe(false);
  expect(isChallengeHtml(body), `${what}: challenge page?`).toBe(false);
  expect(isChallengeResponse({ status, body, headers: {}, url: '' } as never), `${what}: challenge?`).toBe(
    false,
  );
  expect(hasProfileModule(body), `${what}: profile module`).toBe(true);
}

describe('adversarial replica users', () => {
  it('exist, are deterministic, and carry the markers into the raw pages', async () => {
    expect(today.adversarialUsernames.length).toBeGreaterThanOrEqual(10);
    expect(today.adversarialUsernames).toEqual(legacy.adversarialUsernames);
    for (const u of today.adversarialUsernames) {
      expect(today.allUsernames()).not.toContain(u);
      expect(today.usernames).not.toContain(u);
      expect(today.truth(u)).toEqual(legacy.truth(u));
    }
    // the markers reach the raw text of the pages (so the classifiers really meet them)
    const raw = [
      (await get(today.url, '/404NotFound')).body,
      (await get(legacy.url, '/adv_pager_vars/article/list/1')).body,
      (await get(today.url, '/adv_404_xiaozhan')).body,
      (await get(legacy.url, '/adv_404_xiaozhan/article/list/2')).body,
    ].join('\n');
    for (const marker of [
      '<title>404',
      'var currentPage = 99;',
      'var listTotal = 0;',
      '空空如也',
      '下一页',
      '安全验证',
      'acw_sc__v2',
      'article-item-box',
      'asideProfile',
      'no-data',
      'window.__INITIAL_STATE__=',
    ]) {
      expect(raw, marker).toContain(marker);
    }
    const api = (
      await get(
        today.url,
        '/community/home-api/v1/get-business-list?page=1&size=100&username=adv_404_xiaozhan',
      )
    ).body;
    for (const marker of ['"pid\\":\\"404\\"', '<title>404</title>', "arg1='", '</script>']) {
      expect(api).toContain(marker);
    }
    expect(ADVERSARIAL_MARKERS.length).toBeGreaterThan(20);
  });

  it("today's home page: a profile equal to the truth, never 404, challenge or legacy", async () => {
    for (const u of today.adversarialUsernames) {
      const { status, body } = await get(today.url, `/${encodeURIComponent(u)}`);
      expect(status).toBe(200);
      expectUserPage(body, status, `${u} today home`);
      expect(isLegacyPage(body), `${u} legacy?`).toBe(false);
      const home = parseHomePage(body, u);
      expect(home.skin, u).toBe('today');
      expect(home.via, u).toBe('initial-state');
      expect(pick(home.profile, TODAY_FIELDS), u).toEqual(pick(today.truth(u)?.profile, TODAY_FIELDS));
    }
  });

  it('the JSON API: parsed whatever its strings say, never the challenge', async () => {
    for (const u of today.adversarialUsernames) {
      const truth = today.truth(u);
      const p = `/community/home-api/v1/get-business-list?page=1&size=100&username=${encodeURIComponent(u)}`;
      const { status, body } = await get(today.url, p);
      expect(isChallengePage(body), u).toBe(false);
      expect(isChallengeResponse({ status, body, headers: {}, url: '' } as never), u).toBe(false);
      const list = parseBusinessList(body);
      expect(
        list.articles.map((a) => [a.articleId, a.title]),
        u,
      ).toEqual(truth?.articles.map((a) => [a.articleId, a.title]));
    }
  });

  it('the other JSON endpoints (tab totals, fans, follows): parsed, never the challenge', async () => {
    for (const u of today.adversarialUsernames) {
      const q = encodeURIComponent(u);
      const tab = await get(today.url, `/community/home-api/v1/get-tab-total?username=${q}`);
      expect(isChallengePage(tab.body), u).toBe(false);
      expect(parseTabTotal(tab.body).blog, u).toBe(today.truth(u)?.articles.length);
      for (const list of ['get-fans-list', 'get-follow-list']) {
        const { status, body } = await get(
          today.url,
          `/community/home-api/v1/${list}?page=1&size=20&blogUsername=${q}`,
        );
        expect(isChallengeResponse({ status, body, headers: {}, url: '' } as never), `${u} ${list}`).toBe(
          false,
        );
        expect(parseUserList(body, list).usernames, `${u} ${list}`).toEqual([]);
      }
    }
  });

  it('the legacy home page: the aside profile equal to the truth', async () => {
    for (const u of legacy.adversarialUsernames) {
      const { status, body } = await get(legacy.url, `/${encodeURIComponent(u)}`);
      expectUserPage(body, status, `${u} legacy home`);
      expect(isLegacyPage(body), u).toBe(true);
      const home = parseHomePage(body, u);
      expect(home.skin, u).toBe('legacy');
      expect(pick(home.profile, LEGACY_FIELDS), u).toEqual(pick(legacy.truth(u)?.profile, LEGACY_FIELDS));
    }
  });

  it('every legacy list page, one past the end included: pager vars, empty state and items right', async () => {
    for (const u of legacy.adversarialUsernames) {
      const truth = legacy.truth(u);
      const total = truth?.articles.length ?? 0;
      const pages = Math.max(1, Math.ceil(total / PAGE));
      for (let n = 1; n <= pages + 1; n++) {
        const what = `${u} list page ${n}`;
        const { status, body } = await get(legacy.url, `/${encodeURIComponent(u)}/article/list/${n}`);
        expectUserPage(body, status, what);
        expect(isLegacyPage(body), what).toBe(true);
        expect(parseLegacyVars(body), what).toEqual({
          currentPage: n,
          pageSize: PAGE,
          listTotal: total,
          username: u,
          isOwner: false,
          currentUserName: '',
        });
        const expected = truth?.articles.slice((n - 1) * PAGE, n * PAGE) ?? [];
        expect(isEmptyLegacyList(body), what).toBe(expected.length === 0);
        const list = parseLegacyList(body, u);
        expect(list.pageCount, what).toBe(Math.ceil(total / PAGE));
        expect(
          list.articles.map((a) => [a.articleId, a.title, a.viewCount]),
          what,
        ).toEqual(expected.map((a) => [a.articleId, a.title, a.viewCount]));
      }
    }
  });
});

describe("the site's own pages are still recognised", () => {
  it("the replica's 404 page (HTTP 200 for a missing user, 404 for an unknown path)", async () => {
    for (const replica of [today, legacy]) {
      const missing = await get(replica.url, `/${replica.missingUsernames[0]}`);
      expect(missing.status).toBe(200);
      expect(isNotFoundPage(missing.body)).toBe(true);
      expect(isChallengeHtml(missing.body)).toBe(false);
      const unknown = await get(replica.url, '/a/b/c/d');
      expect(unknown.status).toBe(404);
      expect(isNotFoundPage(unknown.body)).toBe(true);
    }
  });

  it("the replica's challenge page, on a home page and on a JSON endpoint", async () => {
    for (const p of ['/404NotFound', '/community/home-api/v1/get-tab-total?username=adv_anquan']) {
      const { status, body } = await get(challenged.url, p);
      expect(status).toBe(521);
      expect(isChallengeHtml(body), p).toBe(true);
      expect(isChallengePage(body), p).toBe(true);
      // by its structure alone, whatever the status
      expect(isChallengeResponse({ status: 200, body, headers: {}, url: '' } as never), p).toBe(true);
      expect(isNotFoundPage(body), p).toBe(false);
    }
  });

  it('markers outside the page structure are not the structure', () => {
    const wrap = (inner: string) =>
      `<html><head><title>x-CSDN博客</title></head><body>${inner}</body></html>`;
    expect(isEmptyLegacyList(wrap('<p>空空如也</p><div class="no-data">x</div>'))).toBe(false);
    expect(
      isEmptyLegacyList(wrap('<div class="article-list"><div class="no-data">空空如也</div></div>')),
    ).toBe(true);
    expect(
      parseLegacyVars(wrap('<script>var nickName = "var currentPage = 99;"; var currentPage = 2;</script>')),
    ).toMatchObject({ currentPage: 2 });
    expect(parseLegacyVars(wrap('<script>// var listTotal = 0;\n/* var pageSize = 1; */</script>'))).toEqual(
      {},
    );
    expect(isLegacyPage(wrap('<p>var listTotal = 0; article-item-box id="asideProfile"</p>'))).toBe(false);
    expect(isNotFoundPage(wrap('<script>var t = "{\\"pid\\":\\"404\\"}";</script>'))).toBe(false);
    expect(isNotFoundPage('<html><head><title>404NotFound-CSDN博客</title></head><body></body></html>')).toBe(
      false,
    );
    expect(isNotFoundPage('<html><head><meta name="report" content=\'{"pid":"404"}\'></head></html>')).toBe(
      true,
    );
    expect(isChallengeHtml(wrap('<script>var nick = "var arg1=\'00\'; acw_sc__v2";</script>'))).toBe(false);
    expect(
      isChallengeHtml('<html><script>var arg1=\'3C1D\';document.cookie="acw_sc__v2=1"</script></html>'),
    ).toBe(true);
    expect(isChallengeHtml('{"title":"<title>请进行安全验证</title>","arg1":"x"}')).toBe(false);
    // string literals of every kind are data: escaped quotes, single quotes, templates, continuations
    const tricky = `<script>
      var a = "say \\"var currentPage = 7;\\" twice"; var b = 'it\\'s var pageSize = 1;';
      var c = \`var listTotal = 0; \${x}\`; var d = "line \\
var username = 'nobody';";
      var currentPage = 4; var pageSize = 40 ; var listTotal = 81; var username = 'u\\u0031';
      var isOwner = false;</script>`;
    expect(parseLegacyVars(wrap(tricky))).toEqual({
      currentPage: 4,
      pageSize: 40,
      listTotal: 81,
      username: 'u1',
      isOwner: false,
    });
  });
});

const FIXTURES = path.resolve(__dirname, '../../shared/fixtures/csdn-2019');
const REAL: [string, number, number][] = [
  ['home-2019-10-01-anonymous.html', 1, 103],
  ['list-page6-last-2019-10-01.html', 6, 103],
  ['list-page1-hidden-dummy-2019-06-21.html', 1, 60],
  ['list-page4-last-2019-06-22.html', 4, 61],
  ['home-2019-06-owner.html', 1, 60],
  ['list-page3-owner-2019-06.html', 3, 60],
];

describe.runIf(existsSync(FIXTURES))('real 2019 pages (shared fixtures) still classify right', () => {
  it.each(REAL)('%s', (file, currentPage, listTotal) => {
    const body = readFileSync(path.join(FIXTURES, file), 'utf8');
    expectUserPage(body, 200, file);
    expect(isLegacyPage(body)).toBe(true);
    expect(isEmptyLegacyList(body)).toBe(false);
    expect(parseLegacyVars(body)).toMatchObject({ currentPage, listTotal, username: 'weixin_38171180' });
    expect(parseHomePage(body, 'weixin_38171180').skin).toBe('legacy');
    expect(parseLegacyList(body, 'weixin_38171180').articles.length).toBeGreaterThan(0);
  });
});
