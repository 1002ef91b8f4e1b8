import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type HTMLElement, parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/core/model.js';
import { isNotFoundPage } from '../src/sites/csdn/parse-home.js';
import { parseLegacyAside, parseLegacyList } from '../src/sites/csdn/parse-legacy.js';
import { startReplica } from '../src/testing/replica/index.js';
import { useReplicaFetch } from './helpers/replica-fetch.js';

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

const site = useReplicaFetch({ users: 300, seed: 7 });
const { get, userWhere } = site;

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
    const truth = site.replica.truth(user);
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
      expect(vars.baseUrl).toBe(`${site.replica.url}/${user}/article/list`);
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
    const p = site.replica.truth(user)?.profile;
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
    const user = site.replica.usernames.find(
      (u) => (site.replica.truth(u)?.profile.viewCount ?? 0) >= 10_000,
    );
    expect(user).toBeDefined();
    const root = parse((await get(`/${user}/article/list/1`)).body);
    const visits = root.querySelectorAll('#asideProfile .grade-box dd[title]')[0];
    expect(visits.text.trim()).toMatch(/^\d+万\+$/);
    expect(Number(visits.getAttribute('title'))).toBe(site.replica.truth(user as string)?.profile.viewCount);
  });

  it('lets the project parser read back exactly the truth from every legacy page', async () => {
    const user = userWhere((n) => n > 60 && n < 300);
    const truth = site.replica.truth(user);
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
