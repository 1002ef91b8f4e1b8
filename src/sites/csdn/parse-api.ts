import { BlockedError, ParseError } from '../../core/errors.js';
import type { Article, ArticleType } from '../../core/model.js';
import { parseCount } from './parse-number.js';

/** The 521 "请进行安全验证" page (its script computes the acw_sc__v2 cookie). */
export function isChallengePage(body: string): boolean {
  return /安全验证|acw_sc__v2|arg1\s*=\s*'/.test(body);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The `data` object of a home-api envelope `{code: 200, message, data: {...}}`.
 * HTML where JSON belongs is the challenge (BlockedError) or garbage (ParseError);
 * truncated JSON, a code other than 200 or a missing `data` object are ParseErrors.
 */
export function parseEnvelope(body: string, what: string): Json {
  const text = body.replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{')) {
    if (isChallengePage(text)) {
      throw new BlockedError(
        'challenge',
        `${what}: the site answered its security check (安全验证) instead of JSON`,
      );
    }
    throw new ParseError(`${what}: expected JSON, got ${JSON.stringify(text.slice(0, 60))}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ParseError(`${what}: invalid or truncated JSON (${text.length} chars)`, { cause: error });
  }
  if (!isObject(json)) throw new ParseError(`${what}: JSON is not an object`);
  const code = parseCount(json.code, `${what} code`);
  if (code !== 200) {
    const message = typeof json.message === 'string' ? json.message.slice(0, 80) : '';
    throw new ParseError(`${what}: envelope code ${String(json.code)} ${message}`.trim());
  }
  if (!isObject(json.data)) throw new ParseError(`${what}: envelope has no data object`);
  return json.data;
}

export function articleTypeOf(code: unknown): ArticleType {
  const n = typeof code === 'string' ? Number(code) : code;
  if (n === 1) return 'original';
  if (n === 2) return 'reprint';
  if (n === 3 || n === 4) return 'translation';
  return 'unknown';
}

const POST_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** One get-business-list item as an Article. postTime is taken as is; formatTime never. */
export function articleFromApiItem(item: unknown): Article {
  if (!isObject(item)) throw new ParseError('article list: an item is not an object');
  const rawId = item.articleId;
  const articleId =
    typeof rawId === 'number'
      ? Number.isSafeInteger(rawId)
        ? String(rawId)
        : ''
      : String(rawId ?? '').trim();
  if (!/^\d+$/.test(articleId) || articleId === '0') {
    throw new ParseError(`article list: bad articleId ${JSON.stringify(rawId)}`);
  }
  const field = (name: string) => `article ${articleId} ${name}`;
  const count = (name: string): number => parseCount(item[name], field(name)) ?? 0;
  const postTime = typeof item.postTime === 'string' ? item.postTime.trim() : '';
  const article: Article = {
    articleId,
    title: typeof item.title === 'string' ? item.title : '',
    url: typeof item.url === 'string' ? item.url : '',
    type: articleTypeOf(item.type),
    postTime: POST_TIME.test(postTime) ? postTime : '',
    viewCount: count('viewCount'),
    commentCount: count('commentCount'),
  };
  const digg = parseCount(item.diggCount, field('diggCount'));
  if (digg !== undefined) article.diggCount = digg;
  const collect = parseCount(item.collectCount, field('collectCount'));
  if (collect !== undefined) article.collectCount = collect;
  if (typeof item.top === 'boolean') article.top = item.top;
  return article;
}

export interface BusinessListPage {
  /** Articles on this page, in the site's order (newest first). */
  articles: Article[];
  /** `total` as the site states it (it may count drafts); undefined when absent. */
  total?: number;
  /** False when `data` had no `list` key at all (a user with no articles). */
  hasList: boolean;
}

/** `/community/home-api/v1/get-business-list`. */
export function parseBusinessList(body: string): BusinessListPage {
  const data = parseEnvelope(body, 'article list');
  const total = parseCount(data.total, 'article list total');
  if (!('list' in data) || data.list === null) return { articles: [], total, hasList: false };
  if (!Array.isArray(data.list)) throw new ParseError('article list: data.list is not an array');
  return { articles: data.list.map(articleFromApiItem), total, hasList: true };
}

/** `/community/home-api/v1/get-tab-total`: the `blog` count, undefined when absent. */
export function parseTabTotal(body: string): { blog?: number } {
  const data = parseEnvelope(body, 'tab totals');
  return { blog: parseCount(data.blog, 'tab total blog') };
}

const USERNAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * get-fans-list / get-follow-list (v1 and v2 answer the same shape): the usernames on one page
 * (invalid names dropped), and `lastId`, the last item's `id` (v2's cursor for the next page).
 */
export function parseUserList(
  body: string,
  what: string,
): { usernames: string[]; listed: number; total?: number; lastId?: string } {
  const data = parseEnvelope(body, what);
  const list = data.list ?? [];
  if (!Array.isArray(list)) throw new ParseError(`${what}: data.list is not an array`);
  const usernames: string[] = [];
  for (const item of list) {
    const name = isObject(item) ? (item.username ?? item.userName) : undefined;
    if (typeof name === 'string' && USERNAME.test(name.trim())) usernames.push(name.trim());
  }
  const total = parseCount(data.total, `${what} total`);
  const last: unknown = list.length > 0 ? list[list.length - 1] : undefined;
  const lastId = isObject(last) ? cursorOf(last.id) : undefined;
  return { usernames, listed: list.length, total, lastId };
}

/** A list item's `id` as a cursor: a non-negative integer (number or digits), else undefined. */
function cursorOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value.trim())) return value.trim();
  return undefined;
}
