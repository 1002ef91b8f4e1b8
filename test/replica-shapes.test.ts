import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type HTMLElement, parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../src/core/model.js';
import { parseBusinessList, parseTabTotal, parseUserList } from '../src/sites/csdn/parse-api.js';
import { isNotFoundPage, parseHomePage } from '../src/sites/csdn/parse-home.js';
import { parseLegacyAside, parseLegacyList } from '../src/sites/csdn/parse-legacy.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';

const shared = path.resolve(__dirname, '../../shared/fixtures/csdn-2019');
const fixture = (name: string) => readFileSync(path.join(shared, name), 'utf8');
const FIXTURES = [
  'home-2019-10-01-anonymous.html',
  'list-page6-last-2019-10-01.html',
  'list-page1-hidden-dummy-2019-06-21.html',
  'list-page4-last-2019-06-22.html',
  'home-2019-06-owner.html',
  'list-page3-owner-2019-06.html',
];

// The selectors and regexes below are applied unchanged to the real pages and to the replica's.
const ITEM = 'div.article-item-box.csdn-tracking-statistics[data-articleid]';
const VAR = (name: string) => new RegExp(`var\\s+${name}\\s*=\\s*'?"?([^;'"\\n]*?)'?"?\\s*;`);
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function hidden(el: HTMLElement): boolean {
  return /display:\s*none/.test(el.getAttribute('style') ?? '');
}

function legacyItems(html: string) {
  return parse(html)
    .querySelectorAll(ITEM)
    .map((box) => {
      const link = box.querySelector('h4 > a');
      const type = link?.querySelector('span.article-type');
      return {
        hidden: hidden(box),
        id: box.getAttribute('data-articleid') ?? '',
        href: link?.getAttribute('href') ?? '',
        typeClass: [...(type?.classList.values() ?? [])].find((c) => /^type-\d$/.test(c)),
        date: box.querySelector('span.date')?.text.trim() ?? '',
        nums: box.querySelectorAll('span.read-num').map((s) => s.querySelector('span.num')?.text.trim()),
      };
    });
}

function legacyVars(html: string) {
  const get = (name: string) => VAR(name).exec(html)?.[1];
  return {
    currentPage: get('currentPage'),
    baseUrl: get('baseUrl'),
    pageSize: get('pageSize'),
    listTotal: get('listTotal'),
    username: get('username'),
    isOwner: get('isOwner'),
    currentUserName: get('currentUserName'),
  };
}

function asideShape(html: string) {
  const aside = parse(html).querySelector('#asideProfile');
  return {
    dataInfo: aside
      ?.querySelectorAll('.data-info dl[title]')
      .map((dl) => [dl.querySelector('dt')?.text.trim(), dl.getAttribute('title')]),
    fan: aside?.querySelector('#fan')?.text.trim(),
    level: aside?.querySelector('.grade-box a[title]')?.getAttribute('title'),
    ddTitles: aside?.querySelectorAll('.grade-box dd[title]').map((dd) => dd.getAttribute('title')),
    rank: aside?.querySelector('.grade-box dl[title]')?.getAttribute('title'),
    pageBox: parse(html).querySelector('#pageBox')?.innerHTML.trim(),
  };
}

function withoutApiOnly(a: Article): Article {
  const { diggCount: _d, collectCount: _c, top: _t, ...rest } = a;
  return rest;
}

let replica: Replica;
const get = async (p: string) => {
  const res = await fetch(replica.url + p);
  return { status: res.status, body: await res.text() };
};
const api = (endpoint: string, query: string) => get(`/community/home-api/v1/${endpoint}?${query}`);

function userWhere(test: (n: number, name: string) => boolean): string {
  const name = replica.usernames.find((u) => test(replica.truth(u)?.articles.length ?? -1, u));
  if (!name) throw new Error('no such user in the population');
  return name;
}

beforeAll(async () => {
  replica = await startReplica({ users: 300, seed: 7 });
});
afterAll(async () => {
  await replica.close();
});

describe('legacy skin: same selectors on the real 2019 pages and on the replica', () => {
  it('finds items with every field in each real fixture', () => {
    for (const name of FIXTURES) {
      const items = legacyItems(fixture(name)).filter((i) => !i.hidden);
      expect(items.length, name).toBeGreaterThan(0);
      for (const item of items) {
        expect(item.href, name).toMatch(/\/article\/details\/\d+$/);
        expect(item.typeClass, name).toMatch(/^type-[123]$/);
        expect(item.date, name).toMatch(DATETIME);
        expect(item.nums.length, name).toBe(2);
        expect(
          item.nums.every((n) => /^\d+$/.test(n ?? '')),
          name,
        ).toBe(true);
      }
      const vars = legacyVars(fixture(name));
      expect(Number(vars.currentPage)).toBeGreaterThan(0);
      expect(vars.baseUrl).toMatch(/\/article\/list$/);
      expect(Number(vars.pageSize)).toBe(20);
      expect(Number(vars.listTotal)).toBeGreaterThan(0);
      expect(vars.username).toBe('weixin_38171180');
      expect(['true', 'false']).toContain(vars.isOwner);
    }
  });

  it('finds the same shapes on the replica list pages', async () => {
    const user = userWhere((n) => n > 45 && n < 400);
    const truth = replica.truth(user);
    for (const page of [1, 2, 3]) {
      const { status, body } = await get(`/${user}/article/list/${page}`);
      expect(status).toBe(200);
      const all = legacyItems(body);
      expect(all[0]).toMatchObject({ hidden: true, id: '82762601' });
      expect(all[0].href).not.toContain(`/${user}/`);
      const items = all.filter((i) => !i.hidden);
      expect(items.length).toBe(page < 3 ? 20 : Math.min(20, (truth?.articles.length ?? 0) - 40));
      for (const item of items) {
        expect(item.href).toMatch(/\/article\/details\/\d+$/);
        expect(item.typeClass).toMatch(/^type-[123]$/);
        expect(item.date).toMatch(DATETIME);
        expect(item.nums.every((n) => /^\d+$/.test(n ?? ''))).toBe(true);
        expect(item.nums.length).toBe(2);
      }
      const vars = legacyVars(body);
      expect(vars).toMatchObject({
        currentPage: String(page),
        pageSize: '20',
        listTotal: String(truth?.articles.length),
        username: user,
        isOwner: 'false',
        currentUserName: '',
      });
      expect(vars.baseUrl).toBe(`${replica.url}/${user}/article/list`);
      expect(asideShape(body).pageBox).toBe('');
    }
  });

  it('has the aside in the same shape as the real pages, exact values in title attributes', async () => {
    const real = asideShape(fixture('home-2019-10-01-anonymous.html'));
    const user = userWhere((n) => n > 5);
    const mine = asideShape((await get(`/${user}/article/list/1`)).body);
    for (const shape of [real, mine]) {
      expect(shape.dataInfo?.map(([name]) => name)).toEqual(['原创', '粉丝', '喜欢', '评论']);
      expect(shape.dataInfo?.every(([, v]) => /^\d+$/.test(v ?? ''))).toBe(true);
      expect(shape.fan).toMatch(/^\d+(万\+)?$/);
      expect(shape.level).toMatch(/^\d级,/);
      expect(shape.ddTitles?.length).toBe(2);
      expect(shape.rank).toMatch(/^\d+$/);
    }
    const p = replica.truth(user)?.profile;
    expect(mine.dataInfo).toEqual([
      ['原创', String(p?.originalCount)],
      ['粉丝', String(p?.fansCount)],
      ['喜欢', String(p?.likeCount)],
      ['评论', String(p?.commentCount)],
    ]);
    expect(mine.ddTitles).toEqual([String(p?.viewCount), String(p?.points)]);
    expect(mine.rank).toBe(String(p?.rank));
  });

  it('abbreviates large visits as "N万+" in text while the title is exact', async () => {
    const user = replica.usernames.find((u) => (replica.truth(u)?.profile.viewCount ?? 0) >= 10_000);
    expect(user).toBeDefined();
    const root = parse((await get(`/${user}/article/list/1`)).body);
    const visits = root.querySelectorAll('#asideProfile .grade-box dd[title]')[0];
    expect(visits.text.trim()).toMatch(/^\d+万\+$/);
    expect(Number(visits.getAttribute('title'))).toBe(replica.truth(user as string)?.profile.viewCount);
  });

  it('lets the project parser read back exactly the truth from every legacy page', async () => {
    const user = userWhere((n) => n > 60 && n < 300);
    const truth = replica.truth(user);
    const got: Article[] = [];
    let pages = 0;
    for (let page = 1; ; page++) {
      const parsed = parseLegacyList((await get(`/${user}/article/list/${page}`)).body, user);
      expect(parsed.hiddenSkipped).toBe(1);
      pages = parsed.pageCount ?? 0;
      if (parsed.articles.length === 0) break;
      got.push(...parsed.articles);
    }
    expect(pages).toBe(Math.ceil((truth?.articles.length ?? 0) / 20));
    expect(got).toEqual(truth?.articles.map(withoutApiOnly));
    const aside = parseLegacyAside((await get(`/${user}/article/list/1`)).body);
    const p = truth?.profile;
    expect(aside).toEqual({
      nickname: p?.nickname,
      originalCount: p?.originalCount,
      fansCount: p?.fansCount,
      likeCount: p?.likeCount,
      commentCount: p?.commentCount,
      level: p?.level,
      viewCount: p?.viewCount,
      points: p?.points,
      rank: p?.rank,
    });
  });

  it('shows 空空如也 and no items past the end', async () => {
    const user = userWhere((n) => n > 0 && n < 20);
    const { body } = await get(`/${user}/article/list/2`);
    expect(body).toContain('空空如也');
    expect(legacyItems(body).filter((i) => !i.hidden)).toEqual([]);
  });

  it('honours legacyPageSize and legacyOnly', async () => {
    const legacy = await startReplica({ users: 50, seed: 7, legacyOnly: true, legacyPageSize: 40 });
    try {
      const user = legacy.usernames.find((u) => (legacy.truth(u)?.articles.length ?? 0) > 40) as string;
      const home = await (await fetch(`${legacy.url}/${user}`)).text();
      expect(legacyVars(home)).toMatchObject({ currentPage: '1', pageSize: '40' });
      expect(legacyItems(home).filter((i) => !i.hidden).length).toBe(40);
      expect(home).not.toContain('__INITIAL_STATE__');
      const res = await fetch(
        `${legacy.url}/community/home-api/v1/get-business-list?page=1&size=20&username=${user}`,
      );
      expect(res.status).toBe(404);
      expect(isNotFoundPage(await res.text())).toBe(true);
    } finally {
      await legacy.close();
    }
  });
});

describe("today's home page", () => {
  it('carries counters, first articles and __INITIAL_STATE__ that parse to the truth', async () => {
    const user = userWhere((n) => n > 25);
    const { status, body } = await get(`/${user}`);
    expect(status).toBe(200);
    const root = parse(body);
    const names = root
      .querySelectorAll('.user-profile-head-info-r-c li')
      .map((li) => li.querySelector('.user-profile-statistics-name')?.text.trim());
    expect(names).toEqual(['总访问量', '原创', '排名', '粉丝', '关注']);
    const boxes = root.querySelectorAll('article.blog-list-box');
    expect(boxes.length).toBe(20);
    const truth = replica.truth(user);
    boxes.forEach((box, i) => {
      expect(box.querySelector(':scope > a')?.getAttribute('href')).toBe(truth?.articles[i].url);
      expect(box.querySelector('.blog-list-box-top h4')?.text).toBe(truth?.articles[i].title);
      expect(box.querySelector('.article-type')?.text).toMatch(/^(原创|转载|翻译)$/);
      expect(box.querySelector('.view-num')).not.toBeNull();
      expect(box.querySelector('.comment-num')).not.toBeNull();
    });
    const home = parseHomePage(body, user);
    expect(home.via).toBe('initial-state');
    const { articleCount: _a, points: _p, ...shown } = truth?.profile ?? { username: user };
    expect(home.profile).toEqual(shown);
  });

  it('varies counter shapes between users: numbers, strings, "146,206"', async () => {
    const kinds = new Set<string>();
    for (const user of replica.usernames.slice(0, 30)) {
      const body = (await get(`/${user}`)).body;
      const m = /"fansCount":("?[\d,]+"?)/.exec(body)?.[1] ?? '';
      kinds.add(m.startsWith('"') ? 'string' : 'number');
      if (/"total":"\d{1,3}(,\d{3})+"/.test(body)) kinds.add('separated');
    }
    expect(kinds).toEqual(new Set(['string', 'number', 'separated']));
  });

  it('answers a missing user with HTTP 200 and a 404 page, and the APIs with code 400', async () => {
    const missing = replica.missingUsernames[0];
    const page = await get(`/${missing}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('"pid":"404"');
    expect(page.body).toMatch(/<title>404/);
    expect((await get(`/${missing}/article/list/1`)).body).toContain('"pid":"404"');
    const list = JSON.parse(
      (await api('get-business-list', `page=1&size=20&businessType=blog&username=${missing}`)).body,
    );
    expect(list).toMatchObject({ code: 400, message: '用户不存在', data: null });
  });
});

describe('JSON APIs', () => {
  it('walks get-business-list to exactly the truth, with every field', async () => {
    const user = userWhere((n) => n > 120 && n < 600);
    const truth = replica.truth(user);
    const got: Article[] = [];
    for (let page = 1; ; page++) {
      const { body } = await api(
        'get-business-list',
        `page=${page}&size=100&businessType=blog&orderby=&noMore=false&year=&month=&username=${user}`,
      );
      expect(body.startsWith('{')).toBe(true);
      const json = JSON.parse(body);
      expect(Object.keys(json)).toEqual(['code', 'message', 'traceId', 'data']);
      const parsed = parseBusinessList(body);
      got.push(...parsed.articles);
      if (parsed.articles.length < 100) break;
    }
    expect(got).toEqual(truth?.articles);
    const first = JSON.parse((await api('get-business-list', `page=1&size=1&username=${user}`)).body).data
      .list[0];
    for (const key of [
      'articleId',
      'title',
      'description',
      'url',
      'type',
      'top',
      'forcePlan',
      'viewCount',
      'commentCount',
      'diggCount',
      'collectCount',
      'postTime',
      'formatTime',
      'editUrl',
      'picList',
    ]) {
      expect(first).toHaveProperty(key);
    }
    expect(typeof first.articleId).toBe('number');
  });

  it('caps size at 100, ends with an empty list, counts drafts in total for some users', async () => {
    const big = userWhere((n) => n > 150);
    const capped = parseBusinessList(
      (await api('get-business-list', `page=1&size=500&username=${big}`)).body,
    );
    expect(capped.articles.length).toBe(100);
    const past = parseBusinessList((await api('get-business-list', `page=999&size=20&username=${big}`)).body);
    expect(past).toMatchObject({ articles: [], hasList: true });
    const zero = userWhere((n) => n === 0);
    const empty = JSON.parse((await api('get-business-list', `page=1&size=20&username=${zero}`)).body);
    expect(empty.code).toBe(200);
    expect(empty.data).not.toHaveProperty('list');
    let drafted = 0;
    for (const user of replica.usernames.slice(0, 80)) {
      const n = replica.truth(user)?.articles.length ?? 0;
      const page = parseBusinessList(
        (await api('get-business-list', `page=1&size=20&username=${user}`)).body,
      );
      expect(page.total ?? 0).toBeGreaterThanOrEqual(n);
      if ((page.total ?? 0) > n) drafted++;
      expect(parseTabTotal((await api('get-tab-total', `username=${user}`)).body).blog).toBe(n);
    }
    expect(drafted).toBeGreaterThan(0);
  });

  it('pages fans and follows in 20s to exactly the truth, ending with an empty list', async () => {
    const user = replica.usernames.find((u) => (replica.truth(u)?.fans.length ?? 0) > 40) as string;
    expect(user).toBeDefined();
    for (const [endpoint, key] of [
      ['get-fans-list', 'fans'],
      ['get-follow-list', 'follows'],
    ] as const) {
      const names: string[] = [];
      for (let page = 1; page < 100; page++) {
        const { body } = await api(endpoint, `page=${page}&size=20&noMore=false&blogUsername=${user}`);
        const json = JSON.parse(body);
        for (const item of json.data.list) {
          expect(Object.keys(item).sort()).toEqual([
            'blogExpert',
            'blogUrl',
            'briefIntroduction',
            'id',
            'loginUserNameIsFollow',
            'nickname',
            'userAvatar',
            'username',
          ]);
        }
        const got = parseUserList(body, endpoint).usernames;
        if (got.length === 0) break;
        expect(got.length).toBeLessThanOrEqual(20);
        names.push(...got);
      }
      expect(names).toEqual(replica.truth(user)?.[key]);
    }
  });
});

describe('escaping', () => {
  it('escapes the script payload in HTML and sends it raw in JSON', async () => {
    const payload = '<script>alert(1)</script>';
    const user = replica.usernames.find((u) =>
      replica
        .truth(u)
        ?.articles.slice(0, 20)
        .some((a) => a.title.includes(payload)),
    ) as string;
    expect(user).toBeDefined();
    const legacy = (await get(`/${user}/article/list/1`)).body;
    const home = (await get(`/${user}`)).body;
    for (const html of [legacy, home]) {
      expect(html).not.toContain(payload);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect((await api('get-business-list', `page=1&size=20&username=${user}`)).body).toContain(payload);
    const titles = parseLegacyList(legacy, user).articles.map((a) => a.title);
    expect(titles.some((t) => t.includes(payload))).toBe(true);
  });

  it('gives custom-domain users article URLs without the username, accepted by the parser', async () => {
    const user = replica
      .allUsernames()
      .find((u) => replica.truth(u)?.customDomain && (replica.truth(u)?.articles.length ?? 0) > 0) as string;
    expect(user).toBeDefined();
    const truth = replica.truth(user);
    expect(truth?.articles[0].url).toBe(
      `https://${truth?.customDomain}.blog.csdn.net/article/details/${truth?.articles[0].articleId}`,
    );
    const parsed = parseLegacyList((await get(`/${user}/article/list/1`)).body, user);
    expect(parsed.articles.map((a) => a.url)).toEqual(truth?.articles.slice(0, 20).map((a) => a.url));
  });
});
