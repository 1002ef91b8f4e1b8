import { describe, expect, it } from 'vitest';
import { ParseError } from '../src/core/errors.js';
import { firstInteger, parseCount } from '../src/sites/csdn/parse-number.js';

describe('parseCount', () => {
  it('reads numbers, numeric strings and thousands separators', () => {
    expect(parseCount('146,206')).toBe(146206);
    expect(parseCount(' 42 ')).toBe(42);
    expect(parseCount(0)).toBe(0);
    expect(parseCount(7)).toBe(7);
    expect(parseCount('9,876,543')).toBe(9876543);
  });

  it('never returns an abbreviated display value', () => {
    for (const shown of ['1万+', '7万+', '10万+', '1.2w', '3k', '8千+', '1亿']) {
      expect(parseCount(shown)).toBeUndefined();
    }
  });

  it('treats missing and empty as unknown', () => {
    expect(parseCount(undefined)).toBeUndefined();
    expect(parseCount(null)).toBeUndefined();
    expect(parseCount('')).toBeUndefined();
    expect(parseCount('-')).toBeUndefined();
  });

  it('rejects absurd values with a ParseError naming the field', () => {
    expect(() => parseCount(-1, 'fansCount')).toThrow(ParseError);
    expect(() => parseCount('-5', 'fansCount')).toThrow(/fansCount/);
    expect(() => parseCount(Number.NaN)).toThrow(ParseError);
    expect(() => parseCount(2e12)).toThrow(ParseError);
    expect(() => parseCount('1.5')).toThrow(ParseError);
    expect(() => parseCount('abc')).toThrow(ParseError);
    expect(() => parseCount({})).toThrow(ParseError);
  });
});

describe('firstInteger', () => {
  it('reads the number inside a label', () => {
    expect(firstInteger('阅读数：914')).toBe(914);
    expect(firstInteger('3级,点击查看等级说明')).toBe(3);
    expect(firstInteger('阅读数 1,024')).toBe(1024);
  });
  it('does not turn "1万+" into 1', () => {
    expect(firstInteger('阅读数：1万+')).toBeUndefined();
    expect(firstInteger('no digits')).toBeUndefined();
  });
});
