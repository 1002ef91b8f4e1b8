import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../src/core/errors.js';
import { isNotFoundPage, parseHomeCounters, parseHomePage } from '../src/sites/csdn/parse-home.js';
import { extractInitialState, profileFromInitialState } from '../src/sites/csdn/parse-initial-state.js';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures/csdn', name), 'utf8');

describe('extractInitialState', () => {
  it('finds the balanced object even with braces and quotes inside strings', () => {
    const state = extractInitialState(fixture('home-today.html')) as {
      user: { note: string };
      pageData: { data: { baseInfo: { userModule: { nickname: string } } } };
    };
    expect(state.user.note).toBe('a } inside and a \\" quote { and \'');
    expect(state.pageData.data.baseInfo.userModule.nickname).toBe('今天的 "用户" {花括号}');
  });

  it('is undefined without the marker and a ParseError when unbalanced or not JSON', () => {
    expect(extractInitialState('<html><script>var x = {};</script></html>')).toBeUndefined();
    expect(() => extractInitialState('<script>window.__INITIAL_STATE__={"a":{"b":1}')).toThrow(ParseError);
    expect(() => extractInitialState('<script>window.__INITIAL_STATE__={a:1};</script>')).toThrow(
      /not valid JSON/,
    );
    expect(() => extractInitialState('<script>window.__INITIAL_STATE__=alert(1)</script>')).toThrow(
      ParseError,
    );
  });

  it('never evaluates the page script', () => {
    const html = '<script>window.__INITIAL_STATE__={"x":"}"}; globalThis.__pwned = 1;</script>';
    expect(extractInitialState(html)).toEqual({ x: '}' });
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined();
  });
});

describe('home page profile', () => {
  it('reads userModule and achievementModule', () => {
    const state = extractInitialState(fixture('home-today.html'));
    expect(profileFromInitialState(state, 'x')).toEqual({
      username: 'today_user',
      nickname: '今天的 "用户" {花括号}',
      level: 6,
      registrationTime: '2015-03-04 10:11:12',
      blogUrl: 'https://blog.csdn.net/today_user',
      originalCount: 1234,
      rank: 5678,
      fansCount: 146206,
      followCount: 12,
      viewCount: 9876543,
      likeCount: 14221,
      commentCount: 2040,
      favouriteCount: 31337,
    });
  });

  it('parseHomePage prefers the embedded state over abbreviated counters', () => {
    const home = parseHomePage(fixture('home-today.html'), 'today_user');
    expect(home.skin).toBe('today');
    expect(home.via).toBe('initial-state');
    expect(home.profile.viewCount).toBe(9876543);
    expect(home.profile.fansCount).toBe(146206);
  });

  it('falls back to the head counters, matched by name, exact values only', () => {
    const html = fixture('home-today-counters-only.html');
    expect(parseHomeCounters(html)).toEqual({
      followCount: 88,
      fansCount: 145002,
      viewCount: 1203456,
      originalCount: 42,
      rank: 3210,
    });
    const home = parseHomePage(html, 'counters_user');
    expect(home.via).toBe('counters');
    expect(home.profile.username).toBe('counters_user');
    // In today-with-state page, 总访问量 "987万+" has no exact value: not a counter.
    expect(parseHomeCounters(fixture('home-today.html')).viewCount).toBeUndefined();
    expect(parseHomeCounters(fixture('home-today.html')).followCount).toBe(12);
  });

  it('reads the legacy aside on a 2019 home page', () => {
    const home = parseHomePage(fixture('legacy-home.html'), 'demo_user');
    expect(home.skin).toBe('legacy');
    expect(home.profile).toEqual({
      username: 'demo_user',
      nickname: '演示 & 用户',
      originalCount: 123,
      fansCount: 45678,
      likeCount: 900,
      commentCount: 77,
      level: 5,
      viewCount: 146206,
      points: 2345,
      rank: 8123,
    });
  });

  it('detects not-found pages served with 200', () => {
    expect(isNotFoundPage(fixture('home-404.html'))).toBe(true);
    expect(isNotFoundPage('<html><head><title>404 - CSDN</title></head></html>')).toBe(true);
    expect(isNotFoundPage(fixture('home-today.html'))).toBe(false);
    expect(isNotFoundPage(fixture('legacy-home.html'))).toBe(false);
  });

  it('a page of unknown shape yields an empty profile, not an error', () => {
    expect(parseHomePage('<html><body>hello</body></html>', 'u')).toEqual({
      skin: 'unknown',
      profile: { username: 'u' },
      via: 'none',
    });
  });
});
