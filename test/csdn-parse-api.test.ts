import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BlockedError, ParseError } from '../src/core/errors.js';
import {
  articleTypeOf,
  isChallengePage,
  parseBusinessList,
  parseEnvelope,
  parseTabTotal,
  parseUserList,
} from '../src/sites/csdn/parse-api.js';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures/csdn', name), 'utf8');

describe('get-business-list', () => {
  it('maps items to articles with exact post times and ids as strings', () => {
    const page = parseBusinessList(fixture('api-business-list.json'));
    expect(page.total).toBe(5);
    expect(page.hasList).toBe(true);
    expect(page.articles.map((a) => a.articleId)).toEqual([
      '3000005',
      '3000004',
      '3000003',
      '3000002',
      '3000001',
    ]);
    const first = page.articles[0];
    expect(first).toEqual({
      articleId: '3000005',
      title: '<标题> & "引号"',
      url: 'https://blog.csdn.net/today_user/article/details/3000005',
      type: 'original',
      postTime: '2024-05-06 16:23:45',
      viewCount: 146206,
      commentCount: 12,
      diggCount: 1234,
      collectCount: 5,
      top: true,
    });
    expect(page.articles.map((a) => a.type)).toEqual([
      'original',
      'reprint',
      'translation',
      'translation',
      'unknown',
    ]);
    expect(page.articles[1].viewCount).toBe(2048);
    // formatTime ("前天 16:23") is never used.
    expect(page.articles.every((a) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(a.postTime))).toBe(true);
  });

  it('a user with no articles has data without list', () => {
    const page = parseBusinessList(fixture('api-business-list-no-list.json'));
    expect(page).toEqual({ articles: [], total: 0, hasList: false });
  });

  it('total may count drafts: it is reported as is', () => {
    const page = parseBusinessList(fixture('api-business-list-drafts.json'));
    expect(page.articles).toHaveLength(2);
    expect(page.total).toBe(9);
    expect(parseBusinessList(fixture('api-business-list-empty.json')).articles).toEqual([]);
  });

  it('absurd counters are a ParseError, not stored', () => {
    expect(() => parseBusinessList(fixture('api-absurd.json'))).toThrow(ParseError);
  });
});

describe('envelopes', () => {
  it('the 521 page where JSON belongs is a challenge', () => {
    const body = fixture('challenge-521.html');
    expect(isChallengePage(body)).toBe(true);
    let caught: unknown;
    try {
      parseBusinessList(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BlockedError);
    expect((caught as BlockedError).kind).toBe('challenge');
  });

  it('other HTML, truncated JSON, bad codes and missing data are ParseErrors', () => {
    expect(isChallengePage(fixture('garbage.html'))).toBe(false);
    expect(() => parseBusinessList(fixture('garbage.html'))).toThrow(ParseError);
    expect(() => parseBusinessList(fixture('api-truncated.json'))).toThrow(/truncated/);
    expect(() => parseEnvelope(fixture('api-error-code.json'), 'x')).toThrow(/code 400/);
    expect(() => parseEnvelope('{"code":200,"message":"ok"}', 'x')).toThrow(/no data/);
    expect(() => parseEnvelope('[1,2]', 'x')).toThrow(ParseError);
    expect(() => parseEnvelope('', 'x')).toThrow(ParseError);
  });

  it('accepts a string code and a BOM', () => {
    expect(parseEnvelope('\uFEFF{"code":"200","data":{"a":1}}', 'x')).toEqual({ a: 1 });
  });
});

describe('tab totals, fans and follows', () => {
  it('reads blog from get-tab-total', () => {
    expect(parseTabTotal(fixture('api-tab-total.json')).blog).toBe(1234);
  });

  it('reads usernames and drops names that cannot be ids', () => {
    const fans = parseUserList(fixture('api-fans-list.json'), 'fans');
    expect(fans.usernames).toEqual(['fan_one', 'fan-two']);
    expect(parseUserList(fixture('api-follow-list-empty.json'), 'follows').usernames).toEqual([]);
  });

  it('maps type codes', () => {
    expect([1, 2, 3, 4, 0, '1', null].map(articleTypeOf)).toEqual([
      'original',
      'reprint',
      'translation',
      'translation',
      'unknown',
      'original',
      'unknown',
    ]);
  });
});
