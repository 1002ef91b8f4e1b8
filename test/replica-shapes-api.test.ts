import { parse } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import type { Article } from '../src/core/model.js';
import { parseBusinessList, parseTabTotal, parseUserList } from '../src/sites/csdn/parse-api.js';
import { parseHomePage } from '../src/sites/csdn/parse-home.js';
import { parseLegacyList } from '../src/sites/csdn/parse-legacy.js';
import { useReplicaFetch } from './helpers/replica-fetch.js';

const site = useReplicaFetch({ users: 300, seed: 7 });
const { get, api, userWhere } = site;

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
    const truth = site.replica.truth(user);
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
    for (const user of site.replica.usernames.slice(0, 30)) {
      const body = (await get(`/${user}`)).body;
      const m = /"fansCount":("?[\d,]+"?)/.exec(body)?.[1] ?? '';
      kinds.add(m.startsWith('"') ? 'string' : 'number');
      if (/"total":"\d{1,3}(,\d{3})+"/.test(body)) kinds.add('separated');
    }
    expect(kinds).toEqual(new Set(['string', 'number', 'separated']));
  });

  it('answers a missing user with HTTP 200 and a 404 page, and the APIs with code 400', async () => {
    const missing = site.replica.missingUsernames[0];
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
    const truth = site.replica.truth(user);
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
    for (const user of site.replica.usernames.slice(0, 80)) {
      const n = site.replica.truth(user)?.articles.length ?? 0;
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
    const user = site.replica.usernames.find((u) => (site.replica.truth(u)?.fans.length ?? 0) > 40) as string;
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
      expect(names).toEqual(site.replica.truth(user)?.[key]);
    }
  });
});

describe('escaping', () => {
  it('escapes the script payload in HTML and sends it raw in JSON', async () => {
    const payload = '<script>alert(1)</script>';
    const user = site.replica.usernames.find((u) =>
      site.replica
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
    const user = site.replica
      .allUsernames()
      .find(
        (u) => site.replica.truth(u)?.customDomain && (site.replica.truth(u)?.articles.length ?? 0) > 0,
      ) as string;
    expect(user).toBeDefined();
    const truth = site.replica.truth(user);
    expect(truth?.articles[0].url).toBe(
      `https://${truth?.customDomain}.blog.csdn.net/article/details/${truth?.articles[0].articleId}`,
    );
    const parsed = parseLegacyList((await get(`/${user}/article/list/1`)).body, user);
    expect(parsed.articles.map((a) => a.url)).toEqual(truth?.articles.slice(0, 20).map((a) => a.url));
  });
});
