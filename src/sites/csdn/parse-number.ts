import { ParseError } from '../../core/errors.js';

/** Counters above this are not counters: the site answered garbage. */
export const MAX_COUNT = 1e12;

/** Display abbreviations such as "1万+", "7万+", "1.2w", "10k": never an exact value. */
const ABBREVIATED = /[万亿千kKwW+]/;

/**
 * Read a counter the site gives as a number, a numeric string or a string with thousands
 * separators ("146,206"). Returns undefined when there is nothing exact to read (missing,
 * empty, or an abbreviated display text like "1万+", so the caller takes the exact attribute
 * instead). Throws ParseError for values no counter can have (negative, fractional, NaN,
 * above 1e12, words): storing them would hide that the site answered garbage.
 */
export function parseCount(value: unknown, field = 'counter'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return checkCount(value, field, String(value));
  if (typeof value !== 'string') {
    throw new ParseError(`${field}: expected a number, got ${typeof value}`);
  }
  const text = value.trim();
  if (text === '' || text === '-' || text === '--') return undefined;
  if (ABBREVIATED.test(text)) return undefined;
  const digits = text.replace(/[,，\s]/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(digits)) {
    throw new ParseError(`${field}: not a number: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return checkCount(Number(digits), field, text);
}

/** Like parseCount, but a missing or abbreviated value is an error: for fields that must be there. */
export function requireCount(value: unknown, field: string): number {
  const n = parseCount(value, field);
  if (n === undefined) {
    throw new ParseError(`${field}: missing or not exact (${JSON.stringify(value)})`);
  }
  return n;
}

function checkCount(n: number, field: string, shown: string): number {
  if (!Number.isFinite(n) || !Number.isInteger(n) || n < 0 || n > MAX_COUNT) {
    throw new ParseError(`${field}: absurd value ${JSON.stringify(shown.slice(0, 40))}`);
  }
  return n;
}

/** The first integer inside a text like "阅读数：914" or "3级,点击查看等级说明". */
export function firstInteger(text: string | undefined, field = 'counter'): number | undefined {
  if (!text) return undefined;
  // Keep a trailing abbreviation with the number so "1万+" stays "not exact" instead of 1.
  const match = /\d[\d,.]*\s*[万亿千kKwW+]*/.exec(text);
  return match ? parseCount(match[0].trim(), field) : undefined;
}
