import { ParseError } from '../../core/errors.js';
import type { Profile } from '../../core/model.js';
import { parseCount } from './parse-number.js';

const MARKER = 'window.__INITIAL_STATE__';

/**
 * The JSON object assigned to `window.__INITIAL_STATE__` in today's home page, found by
 * string-aware brace matching and read with JSON.parse (never evaluated). Undefined when the
 * page has no such assignment; ParseError when it is there but unbalanced or not JSON.
 */
export function extractInitialState(html: string): unknown {
  let at = html.indexOf(MARKER);
  while (at !== -1) {
    let i = at + MARKER.length;
    while (i < html.length && /\s/.test(html[i])) i++;
    if (html[i] === '=') {
      i++;
      while (i < html.length && /\s/.test(html[i])) i++;
      if (html[i] !== '{') throw new ParseError('__INITIAL_STATE__ is not followed by an object');
      const end = matchBrace(html, i);
      if (end === -1) throw new ParseError('__INITIAL_STATE__ object is not closed (truncated page?)');
      try {
        return JSON.parse(html.slice(i, end + 1));
      } catch (error) {
        throw new ParseError('__INITIAL_STATE__ is not valid JSON', { cause: error });
      }
    }
    at = html.indexOf(MARKER, at + MARKER.length);
  }
  return undefined;
}

/** Index of the `}` closing the `{` at `start`, skipping braces inside strings; -1 if none. */
function matchBrace(text: string, start: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** `pageData.data.baseInfo` of the state, or undefined when the state has another shape. */
export function baseInfoOf(state: unknown): Json | undefined {
  return obj(obj(obj(obj(state)?.pageData)?.data)?.baseInfo);
}

/**
 * The profile in the embedded state: `userModule` (identity) and `achievementModule`
 * (counters). Undefined when the state carries no userModule (a 404 page, another page type).
 */
export function profileFromInitialState(state: unknown, fallbackUsername: string): Profile | undefined {
  const base = baseInfoOf(state);
  const user = obj(base?.userModule);
  if (!user) return undefined;
  const ach = obj(base?.achievementModule) ?? {};
  const profile: Profile = { username: str(user.username) ?? fallbackUsername };
  set(profile, 'nickname', str(user.nickname));
  set(profile, 'level', parseCount(user.level, 'level'));
  set(profile, 'registrationTime', str(user.registrationTime));
  set(profile, 'blogUrl', str(user.blogUrl));
  set(profile, 'originalCount', parseCount(ach.originalCount, 'originalCount'));
  set(profile, 'rank', parseCount(ach.rank, 'rank'));
  set(profile, 'fansCount', parseCount(ach.fansCount, 'fansCount'));
  set(profile, 'followCount', parseCount(ach.followCount, 'followCount'));
  const whole = ach.wholeSiteViewCount;
  set(profile, 'viewCount', parseCount(obj(whole) ? obj(whole)?.total : whole, 'wholeSiteViewCount.total'));
  const list = Array.isArray(ach.achievementList) ? ach.achievementList : [];
  for (const entry of list) {
    const got = readAchievement(entry);
    if (got) set(profile, got.field, got.value);
  }
  return profile;
}

const ACHIEVEMENT_FIELDS: [RegExp, 'likeCount' | 'commentCount' | 'favouriteCount'][] = [
  [/点赞/, 'likeCount'],
  [/评论/, 'commentCount'],
  [/收藏/, 'favouriteCount'],
];

/**
 * One achievement. Two readings are seen: the words in `title` (or `text`, `name`), e.g.
 * `{title: "获得{0}次点赞", variable: "14,221"}` or a plain `{title: "获得14221次点赞"}`, and the
 * words in `template` with the number in `variable` (what two public crawlers read). The kind
 * comes from the first of these texts that names one; the number from `variable` (or `num`,
 * `count`, `value`), else from that text. Shares ("代码片获得…次分享") and unknown kinds are ignored.
 */
function readAchievement(
  entry: unknown,
): { field: 'likeCount' | 'commentCount' | 'favouriteCount'; value: number } | undefined {
  const item = obj(entry);
  if (!item) return undefined;
  const texts = [item.template, item.title, item.text, item.name]
    .map(str)
    .filter((t): t is string => t !== undefined);
  const text = texts.find((t) => /分享/.test(t) || ACHIEVEMENT_FIELDS.some(([re]) => re.test(t))) ?? '';
  if (/分享/.test(text)) return undefined;
  const kind = ACHIEVEMENT_FIELDS.find(([re]) => re.test(text));
  if (!kind) return undefined;
  const raw = item.variable ?? item.num ?? item.count ?? item.value;
  let value = raw === undefined ? undefined : parseCount(raw, kind[1]);
  if (value === undefined) {
    const inText = /获得\s*([\d,]+)\s*次/.exec(text);
    value = inText ? parseCount(inText[1], kind[1]) : undefined;
  }
  return value === undefined ? undefined : { field: kind[1], value };
}

function set<K extends keyof Profile>(profile: Profile, key: K, value: Profile[K] | undefined): void {
  if (value !== undefined) profile[key] = value;
}
