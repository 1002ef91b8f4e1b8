import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../src/core/errors.js';
import {
  isUsersItem,
  legacyPageCount,
  parseLegacyAside,
  parseLegacyList,
  parseLegacyPager,
  parseLegacyVars,
} from '../src/sites/csdn/parse-legacy.js';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures/csdn', name), 'utf8');

describe('legacy list pages (own fixtures)', () => {
  it('skips the hidden dummy and reads every field of the real items', () => {
    const page = parseLegacyList(fixture('legacy-list-page1.html'), 'demo_user');
    expect(page.hiddenSkipped).toBe(1);
    expect(page.foreignSkipped).toBe(0);
    expect(page.articles.map((a) => a.articleId)).toEqual(['1000007', '1000006', '1000005', '1000004']);
    expect(page.articles[0]).toEqual({
      articleId: '1000007',
      title: '最新的文章 <script> & 更多',
      url: 'https://blog.csdn.net/demo_user/article/details/1000007',
      type: 'original',
      postTime: '2019-10-01 13:37:58',
      viewCount: 10,
      commentCount: 0,
    });
    expect(page.articles.map((a) => a.type)).toEqual(['original', 'reprint', 'translation', 'original']);
    // the older "阅读数：914" variant
    expect(page.articles[3]).toMatchObject({ viewCount: 914, commentCount: 5, title: '旧式计数' });
    expect(page.vars).toEqual({
      currentPage: 1,
      pageSize: 4,
      listTotal: 7,
      username: 'demo_user',
      isOwner: false,
      currentUserName: '',
    });
    expect(page.pageCount).toBe(2);
  });

  it('reads the last page and a page past the end', () => {
    const last = parseLegacyList(fixture('legacy-list-page2-last.html'), 'demo_user');
    expect(last.articles.map((a) => a.articleId)).toEqual(['1000003', '1000002', '1000001']);
    expect(last.vars.currentPage).toBe(2);
    const past = parseLegacyList(fixture('legacy-list-past-end.html'), 'demo_user');
    expect(past.articles).toEqual([]);
  });

  it('accepts custom-domain URLs (no username in them) and rejects other users', () => {
    const page = parseLegacyList(fixture('legacy-list-custom-domain.html'), 'custom_dom');
    expect(page.articles.map((a) => a.url)).toEqual([
      'https://customdom.blog.csdn.net/article/details/2000002',
      'https://customdom.blog.csdn.net/article/details/2000001',
    ]);
    expect(page.pageCount).toBe(1);
    expect(isUsersItem('https://blog.csdn.net/other/article/details/5', '5', 'me')).toBe(false);
    expect(isUsersItem('https://blog.csdn.net/ME/article/details/5', '5', 'me')).toBe(true);
    expect(isUsersItem('https://blog.csdn.net/me/article/details/6', '5', 'me')).toBe(false);
    expect(isUsersItem('javascript:alert(1)', '5', 'me')).toBe(false);
  });

  it('skips a visible item of another user', () => {
    const html = fixture('legacy-list-page1.html').replace(
      /demo_user\/article\/details\/1000006/g,
      'someone_else/article/details/1000006',
    );
    const page = parseLegacyList(html, 'demo_user');
    expect(page.foreignSkipped).toBe(1);
    expect(page.articles.map((a) => a.articleId)).toEqual(['1000007', '1000005', '1000004']);
  });

  it('an abbreviated read count with no exact value is a ParseError', () => {
    const html = fixture('legacy-list-page1.html').replace(
      '<span class="num">10</span>',
      '<span class="num">1万+</span>',
    );
    expect(() => parseLegacyList(html, 'demo_user')).toThrow(ParseError);
  });

  it('reads the script-filled pager state', () => {
    expect(parseLegacyPager(fixture('legacy-list-page1-rendered.html'))).toEqual({
      present: true,
      nextDisabled: false,
    });
    expect(parseLegacyPager(fixture('legacy-list-page2-last.html'))).toEqual({
      present: true,
      nextDisabled: true,
    });
    expect(parseLegacyPager(fixture('legacy-list-page1.html'))).toEqual({
      present: false,
      nextDisabled: true,
    });
  });

  it('computes the page count from listTotal and pageSize', () => {
    expect(legacyPageCount({ listTotal: 103, pageSize: 20 })).toBe(6);
    expect(legacyPageCount({ listTotal: 0, pageSize: 20 })).toBe(0);
    expect(legacyPageCount({ listTotal: 40, pageSize: 40 })).toBe(1);
    expect(legacyPageCount({ listTotal: 40 })).toBeUndefined();
  });
});

const shared = path.resolve(__dirname, '../../shared/fixtures/csdn-2019');
const real = (name: string) => readFileSync(path.join(shared, name), 'utf8');
const USER = 'weixin_38171180';

describe.runIf(existsSync(shared))('legacy pages (real 2019 fixtures)', () => {
  it('home page, anonymous: 20 items, listTotal 103, 6 pages, exact aside', () => {
    const html = real('home-2019-10-01-anonymous.html');
    const page = parseLegacyList(html, USER);
    expect(page.articles).toHaveLength(20);
    expect(page.hiddenSkipped).toBe(0);
    expect(page.vars).toMatchObject({
      currentPage: 1,
      pageSize: 20,
      listTotal: 103,
      username: USER,
      isOwner: false,
    });
    expect(page.pageCount).toBe(6);
    expect(page.articles[0]).toEqual({
      articleId: '101841082',
      title: 'go 学习笔记之10 分钟简要理解 go 语言闭包技术',
      url: `https://blog.csdn.net/${USER}/article/details/101841082`,
      type: 'original',
      postTime: '2019-10-01 13:37:58',
      viewCount: 10,
      commentCount: 0,
    });
    expect(page.articles[2].viewCount).toBe(3231);
    expect(new Set(page.articles.map((a) => a.articleId)).size).toBe(20);
    expect(parseLegacyAside(html)).toEqual({
      nickname: '雪之梦技术驿站',
      originalCount: 99,
      fansCount: 53,
      likeCount: 90,
      commentCount: 6,
      level: 3,
      viewCount: 10875,
      points: 954,
      rank: 74116,
    });
  });

  it('last page 6: 3 items', () => {
    const page = parseLegacyList(real('list-page6-last-2019-10-01.html'), USER);
    expect(page.articles).toHaveLength(3);
    expect(page.vars).toMatchObject({ currentPage: 6, listTotal: 103 });
  });

  it('list page 1 with the hidden dummy 82762601: 20 real items', () => {
    const page = parseLegacyList(real('list-page1-hidden-dummy-2019-06-21.html'), USER);
    expect(page.articles).toHaveLength(20);
    expect(page.hiddenSkipped).toBe(1);
    expect(page.articles.some((a) => a.articleId === '82762601')).toBe(false);
    expect(page.articles[0].articleId).toBe('90715934');
    expect(page.vars).toMatchObject({ listTotal: 60, pageSize: 20 });
    expect(page.pageCount).toBe(3);
  });

  it('the dummy is dropped by the URL rule alone too (were it visible)', () => {
    const html = real('list-page1-hidden-dummy-2019-06-21.html').replace('style="display: none;" ', '');
    const page = parseLegacyList(html, USER);
    expect(page.hiddenSkipped).toBe(0);
    expect(page.foreignSkipped).toBe(1);
    expect(page.articles).toHaveLength(20);
  });

  it('last page 4: the dummy plus one real item 88220138', () => {
    const page = parseLegacyList(real('list-page4-last-2019-06-22.html'), USER);
    expect(page.articles.map((a) => a.articleId)).toEqual(['88220138']);
    expect(page.articles[0]).toMatchObject({
      title: 'markdown 快速入门',
      viewCount: 80,
      postTime: '2019-03-06 10:12:10',
    });
    expect(page.vars).toMatchObject({ currentPage: 4, listTotal: 61 });
    expect(page.pageCount).toBe(4);
  });

  it('owner views: isOwner true, dummy skipped, 20 items', () => {
    for (const name of ['home-2019-06-owner.html', 'list-page3-owner-2019-06.html']) {
      const page = parseLegacyList(real(name), USER);
      expect(page.articles).toHaveLength(20);
      expect(page.hiddenSkipped).toBe(1);
      expect(page.vars.isOwner).toBe(true);
      expect(page.vars.currentUserName).toBe(USER);
    }
    expect(parseLegacyVars(real('list-page3-owner-2019-06.html')).currentPage).toBe(3);
  });

  it('abbreviated aside values are replaced by the exact title attribute', () => {
    const aside = parseLegacyAside(real('list-page1-hidden-dummy-2019-06-21.html'));
    expect(aside.rank).toBe(107168); // shown as 10万+
    expect(aside.viewCount).toBe(3094);
    expect(aside.fansCount).toBe(0);
  });
});
