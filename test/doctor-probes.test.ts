import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../src/core/http-client.js';
import {
  blockedReason,
  probeEnvelope,
  probeListItems,
  probePageSize,
  probeUserList,
} from '../src/sites/csdn/doctor-probes.js';
import {
  probeAchievements,
  probeHome,
  probeLegacyPager,
  probeNotFoundPage,
} from '../src/sites/csdn/doctor-probes-home.js';

const FIXTURES = path.resolve(__dirname, 'fixtures/csdn');
const SHARED = path.resolve(__dirname, '../../shared/fixtures/csdn-2019');

function html(body: string, status = 200): HttpResponse {
  return { status, url: 'http://site/x', headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}
function json(body: unknown, status = 200): HttpResponse {
  return {
    status,
    url: 'http://site/api',
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    body: JSON.stringify(body),
  };
}

describe('doctor probes (pure)', () => {
  it('accepts the 404 page fixture and judges a user page answered with it as missing', () => {
    const page = readFileSync(path.join(FIXTURES, 'home-404.html'), 'utf8');
    expect(probeNotFoundPage(html(page)).status).toBe('ok');
    expect(probeHome(html(page)).status).toBe('missing');
  });

  it('does not take a nickname that starts with 404 for the 404 page', () => {
    const state = {
      pageData: { pid: 'blog', data: { baseInfo: { userModule: { username: 'a', nickname: '404' } } } },
    };
    const page = `<html><head><title>404-CSDN博客</title></head><body><script>window.__INITIAL_STATE__=${JSON.stringify(state)};</script></body></html>`;
    expect(probeHome(html(page)).status).toBe('ok');
    expect(probeNotFoundPage(html(page))).toMatchObject({ status: 'changed' });
    expect(probeNotFoundPage(html(page)).detail).toMatch(/page id "blog".*a userModule is present/);
  });

  it.runIf(existsSync(SHARED))('reads the pager variables of a real 2019 legacy list page', () => {
    const file = path.join(SHARED, 'list-page4-last-2019-06-22.html');
    const result = probeLegacyPager(html(readFileSync(file, 'utf8')));
    expect(result).toEqual({ status: 'ok', detail: 'currentPage 4, pageSize 20, listTotal 61' });
  });

  it('skips the legacy pager on a page in another skin and names a lost variable', () => {
    expect(probeLegacyPager(html('<html><body><div class="blog-list-box"></div></body></html>')).status).toBe(
      'skipped',
    );
    const lost =
      '<div class="article-item-box"></div><script>var currentPage = 1; var listTotal = 3;</script>';
    expect(probeLegacyPager(html(lost)).detail).toBe('legacy pager variables missing: pageSize');
  });

  it('tells a defence from a change', () => {
    expect(blockedReason(html('<html><head><title>请进行安全验证</title></head></html>', 521))).toMatch(
      /security check/,
    );
    expect(blockedReason(json({ code: 403 }, 403))).toMatch(/bot wall/);
    expect(blockedReason(json({ code: 200, data: {} }))).toBeUndefined();
  });

  it('names what is wrong with an envelope', () => {
    expect(probeEnvelope(html('<html>404</html>', 404)).result.detail).toMatch(/HTTP 404 text\/html/);
    expect(probeEnvelope(html('<html></html>')).result.detail).toMatch(/not JSON/);
    expect(probeEnvelope(json({ status: 1, result: {} })).result.detail).toMatch(/lacks code, data/);
    expect(probeEnvelope(json({ code: 400, data: null })).result.detail).toMatch(/code 400/);
    expect(probeEnvelope(json({ code: 200, data: { list: [] } })).data).toEqual({ list: [] });
  });

  it('reports an absent optional field and a badly typed one in list items', () => {
    const item = {
      articleId: 1,
      title: 't',
      url: 'https://x/y',
      type: 1,
      postTime: '2020-01-01 00:00:00',
      viewCount: '12',
      commentCount: 'many',
      diggCount: 0,
    };
    const result = probeListItems({ list: [item] });
    expect(result.status).toBe('changed');
    expect(result.detail).toBe('missing collectCount (optional); unexpected values in commentCount');
    expect(probeListItems({ total: 0 }).status).toBe('skipped');
  });

  it('judges the page size against the article count, not the total that counts drafts', () => {
    const list = Array.from({ length: 7 }, () => ({}));
    expect(probePageSize({ list, total: 9 }, 100, 7).status).toBe('ok');
    expect(probePageSize({ list, total: 300 }, 100, 300).detail).toBe(
      'page size capped at 7 (asked 100, the user has 300)',
    );
    expect(probePageSize({ list }, 100, undefined).status).toBe('skipped');
  });

  it('reads achievements as title templates or plain text, and names the lost kinds', () => {
    const module = (list: unknown[]) => ({ achievementModule: { achievementList: list } });
    const templates = [
      { title: '获得{0}次点赞', variable: '1,024' },
      { template: '内容获得{0}次评论', variable: 3 },
      { text: '获得12次收藏' },
    ];
    expect(probeAchievements(module(templates)).status).toBe('ok');
    expect(probeAchievements(module(templates.slice(0, 1))).detail).toMatch(
      /comments, favourites unreadable/,
    );
  });

  it('names fans items without a username', () => {
    expect(probeUserList({ list: [{ userName: 'a' }] }).detail).toMatch(
      /1 of 1 items lack username \(keys: userName\)/,
    );
    expect(probeUserList({ list: [] }).status).toBe('ok');
  });
});
