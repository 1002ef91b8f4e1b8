/**
 * The checks of `csdn-crawl doctor` that concern every answer, and the JSON API's answers.
 * Each is a pure function of a fetched response (or of what an earlier check extracted) to a
 * status and a one-line detail that names the field or marker that changed. The expectation is
 * the documented site (docs/csdn-adapter.md, the reference), not what the adapter tolerates.
 */
import type { DoctorStatus } from '../../core/doctor.js';
import type { HttpResponse } from '../../core/http-client.js';
import { isChallengeResponse } from './classify-response.js';
import { parseCount } from './parse-number.js';

export interface ProbeResult {
  status: DoctorStatus;
  detail: string;
}

export type Json = Record<string, unknown>;

export const ok = (detail: string): ProbeResult => ({ status: 'ok', detail });
export const changed = (detail: string): ProbeResult => ({ status: 'changed', detail });
export const skipped = (detail: string): ProbeResult => ({ status: 'skipped', detail });

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when the value reads as an exact or abbreviated counter (never throws). */
export function isCount(value: unknown): boolean {
  try {
    return parseCount(value) !== undefined || (typeof value === 'string' && value.trim() !== '');
  } catch {
    return false;
  }
}

/** Why an answer is no answer at all (a defence, not a change of the site), or undefined. */
export function blockedReason(response: HttpResponse): string | undefined {
  if (isChallengeResponse(response)) return `security check (HTTP ${response.status}, 安全验证)`;
  if (response.status === 403) return 'bot wall (HTTP 403)';
  if (response.status === 429) return 'throttled (HTTP 429)';
  if (response.status >= 500) return `server error (HTTP ${response.status})`;
  return undefined;
}

export function contentType(response: HttpResponse): string {
  return (response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() || '(none)';
}

/** Status 200 and an HTML content type. */
export function probeHtml(response: HttpResponse, allowStatus: number[] = [200]): ProbeResult {
  const type = contentType(response);
  const problems: string[] = [];
  if (!allowStatus.includes(response.status)) problems.push(`HTTP ${response.status}`);
  if (type !== 'text/html') problems.push(`content type ${type}`);
  return problems.length > 0
    ? changed(`${problems.join(', ')} (expected ${allowStatus.join('/')} text/html)`)
    : ok(`HTTP ${response.status} text/html`);
}

/**
 * A home-api answer: HTTP 200, a JSON content type, a JSON body, the envelope
 * `{code: 200, data: {...}}`. Returns the data object when all of that holds.
 */
export function probeEnvelope(response: HttpResponse): { result: ProbeResult; data?: Json } {
  const type = contentType(response);
  if (response.status !== 200) {
    return { result: changed(`HTTP ${response.status} ${type}: endpoint not served (expected 200 JSON)`) };
  }
  const text = response.body.replace(/^\uFEFF/, '').trimStart();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { result: changed(`body is not JSON (content type ${type})`) };
  }
  if (!isObject(json)) return { result: changed('body is JSON but not an object') };
  const missing = ['code', 'data'].filter((key) => !(key in json));
  if (missing.length > 0) {
    return { result: changed(`envelope lacks ${missing.join(', ')} (keys: ${keysOf(json)})`) };
  }
  if (Number(json.code) !== 200)
    return { result: changed(`envelope code ${String(json.code)} (expected 200)`) };
  if (!isObject(json.data)) return { result: changed('envelope data is not an object') };
  if (!/json/.test(type))
    return { result: changed(`content type ${type} (expected application/json)`), data: json.data };
  return { result: ok(`HTTP 200 ${type}, code 200`), data: json.data };
}

/** Up to 8 key names of an object, for details ("keys: id, title, views"). */
export function keysOf(value: Json): string {
  const keys = Object.keys(value);
  const shown = keys.slice(0, 8).map((k) => k.replace(/[^\w.$-]/g, '?').slice(0, 30));
  return keys.length > 8 ? `${shown.join(', ')}, …` : shown.join(', ') || 'none';
}

const ITEM_FIELDS: Record<string, (value: unknown) => boolean> = {
  articleId: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) || /^\d+$/.test(String(v)),
  title: (v) => typeof v === 'string',
  url: (v) => typeof v === 'string' && /^https?:\/\//.test(v),
  type: (v) => isCount(v),
  postTime: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v.trim()),
  viewCount: isCount,
  commentCount: isCount,
};
const OPTIONAL_ITEM_FIELDS = ['diggCount', 'collectCount'];
const KNOWN_ITEM_KEYS = new Set([
  ...Object.keys(ITEM_FIELDS),
  ...OPTIONAL_ITEM_FIELDS,
  'description',
  'top',
  'forcePlan',
  'editUrl',
  'formatTime',
  'picList',
]);

/** get-business-list items: required fields present and well-typed, optional ones present. */
export function probeListItems(data: Json): ProbeResult {
  if (!('list' in data)) return skipped('no list key (a user with no articles?): fields not checked');
  if (!Array.isArray(data.list)) return changed('data.list is not an array');
  const items = data.list.filter(isObject);
  if (items.length === 0) return skipped('empty list: fields not checked');
  const absent = new Set<string>();
  const badType = new Set<string>();
  const unknown = new Set<string>();
  for (const item of items) {
    for (const [field, valid] of Object.entries(ITEM_FIELDS)) {
      if (!(field in item)) absent.add(field);
      else if (!valid(item[field])) badType.add(field);
    }
    for (const field of OPTIONAL_ITEM_FIELDS) if (!(field in item)) absent.add(`${field} (optional)`);
    for (const key of Object.keys(item)) if (!KNOWN_ITEM_KEYS.has(key)) unknown.add(key);
  }
  const parts: string[] = [];
  if (absent.size > 0) parts.push(`missing ${[...absent].join(', ')}`);
  if (badType.size > 0) parts.push(`unexpected values in ${[...badType].join(', ')}`);
  if (parts.length === 0) return ok(`${items.length} items with every field`);
  if (unknown.size > 0) parts.push(`new keys ${keysOf(Object.fromEntries([...unknown].map((k) => [k, 1])))}`);
  return changed(parts.join('; '));
}

/** `data.total` present and a count. */
export function probeTotal(data: Json): ProbeResult {
  if (!('total' in data)) return changed(`data.total is missing (keys: ${keysOf(data)})`);
  return isCount(data.total) ? ok(`total ${String(data.total)}`) : changed('data.total is not a count');
}

/**
 * The effective page size: asked `asked`, the first page should hold min(asked, articles).
 * Articles come from get-tab-total's `blog` (total counts drafts, so it is only the fallback).
 */
export function probePageSize(data: Json, asked: number, articles: number | undefined): ProbeResult {
  const listed = Array.isArray(data.list) ? data.list.length : 0;
  const total = parseTotal(data.total);
  const known = articles ?? total;
  if (known === undefined) return skipped(`${listed} items; no article count to compare with`);
  const expected = Math.min(asked, known);
  if (listed >= expected) return ok(`asked ${asked}, got ${listed} of ${known}`);
  return changed(`page size capped at ${listed} (asked ${asked}, the user has ${known})`);
}

function parseTotal(value: unknown): number | undefined {
  try {
    return parseCount(value);
  } catch {
    return undefined;
  }
}

/** get-tab-total: `data.blog`, the article count. */
export function probeTabTotal(data: Json): { result: ProbeResult; blog?: number } {
  if (!('blog' in data)) return { result: changed(`data.blog is missing (keys: ${keysOf(data)})`) };
  const blog = parseTotal(data.blog);
  if (blog === undefined) return { result: changed('data.blog is not a count') };
  return { result: ok(`blog ${blog}`), blog };
}

/** A fans/follows page: `data.list` of items with a `username`. */
export function probeUserList(data: Json): ProbeResult {
  const list = data.list ?? [];
  if (!Array.isArray(list)) return changed('data.list is not an array');
  const items = list.filter(isObject);
  if (items.length === 0) return ok('answers (empty list: item fields not checked)');
  const without = items.filter((item) => typeof item.username !== 'string').length;
  if (without > 0) {
    return changed(`${without} of ${items.length} items lack username (keys: ${keysOf(items[0])})`);
  }
  return ok(`answers, ${items.length} names`);
}
