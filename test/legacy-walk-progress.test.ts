import { describe, expect, it } from 'vitest';
import type { Article } from '../src/core/model.js';
import { reloadWait } from '../src/sites/csdn/legacy-page-reader.js';
import {
  LegacyProgressBook,
  type LegacyWalkProgress,
  sameList,
} from '../src/sites/csdn/legacy-walk-progress.js';

const article = (id: string): Article => ({
  articleId: id,
  title: `t${id}`,
  url: `https://blog.csdn.net/u/article/details/${id}`,
  type: 'original',
  postTime: '2020-01-01 00:00:00',
  viewCount: 1,
  commentCount: 0,
});

const progress = (lastPage: number, listTotal = 100): LegacyWalkProgress => ({
  listTotal,
  firstPageIds: ['9', '8'],
  lastPage,
  articles: [article('9'), article('8')],
});

describe('progress of failed browser walks', () => {
  it('is taken once: the next attempt owns it', () => {
    const book = new LegacyProgressBook(4);
    book.put('a', progress(5));
    expect(book.take('a')?.lastPage).toBe(5);
    expect(book.take('a')).toBeUndefined();
  });

  it('keeps at most `capacity` users, dropping the oldest', () => {
    const book = new LegacyProgressBook(2);
    book.put('a', progress(3));
    book.put('b', progress(3));
    book.put('a', progress(4)); // a is now the newest
    book.put('c', progress(3));
    expect(book.size).toBe(2);
    expect(book.take('b')).toBeUndefined();
    expect(book.take('a')?.lastPage).toBe(4);
    expect(book.take('c')?.lastPage).toBe(3);
  });

  it('records nothing before page 2 (page 1 is read by every attempt anyway) or with capacity 0', () => {
    const book = new LegacyProgressBook(2);
    book.put('a', progress(1));
    expect(book.size).toBe(0);
    const none = new LegacyProgressBook(0);
    none.put('a', progress(6));
    expect(none.size).toBe(0);
  });

  it('applies only to the same list: same listTotal and the same page-1 ids in order', () => {
    const p = progress(6);
    expect(sameList(p, 100, ['9', '8'])).toBe(true);
    expect(sameList(p, 101, ['9', '8'])).toBe(false); // an article published
    expect(sameList(p, 100, ['10', '9'])).toBe(false); // one published and one removed
    expect(sameList(p, 100, ['8', '9'])).toBe(false);
    expect(sameList(p, 100, ['9'])).toBe(false);
  });
});

describe('wait before reloading a broken page', () => {
  const options = { retryBaseMs: 1000, maxRetryWaitMs: 30_000 };
  it("is the server's Retry-After when it gave one, capped", () => {
    expect(reloadWait(1, 2000, options)).toBe(2000);
    expect(reloadWait(3, 0, options)).toBe(0);
    expect(reloadWait(1, 120_000, options)).toBe(30_000);
  });
  it('else doubles per reload from the base, within ±20 %, capped', () => {
    for (const [attempt, base] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ]) {
      const wait = reloadWait(attempt, undefined, options);
      expect(wait).toBeGreaterThanOrEqual(base * 0.8);
      expect(wait).toBeLessThanOrEqual(base * 1.2);
    }
    expect(reloadWait(10, undefined, options)).toBe(30_000);
  });
});
