/**
 * Doctor checks of the HTML pages: today's home page (embedded state, head counters), the
 * site's 404 page, and the legacy skin's pager variables. Pure functions, judged by structure.
 */
import { parse } from 'node-html-parser';
import type { HttpResponse } from '../../core/http-client.js';
import {
  changed,
  isCount,
  isObject,
  type Json,
  keysOf,
  ok,
  type ProbeResult,
  probeHtml,
  skipped,
} from './doctor-probes.js';
import { baseInfoOf, extractInitialState } from './parse-initial-state.js';
import { isLegacyPage, parseLegacyVars } from './parse-legacy.js';

/** The embedded state's page type: `pageData.pid`, else the `report` meta's `pid`. */
function pageIdOf(html: string, state: unknown): string | undefined {
  const pageData = isObject(state) && isObject(state.pageData) ? state.pageData : undefined;
  if (pageData && typeof pageData.pid === 'string') return pageData.pid;
  const meta = parse(html.slice(0, 200_000)).querySelector('meta[name="report"]')?.getAttribute('content');
  if (!meta) return undefined;
  try {
    const report: unknown = JSON.parse(meta);
    return isObject(report) && report.pid !== undefined ? String(report.pid) : undefined;
  } catch {
    return undefined;
  }
}

function stateOf(html: string): unknown {
  try {
    return extractInitialState(html);
  } catch {
    return undefined;
  }
}

function titleOf(html: string): string | undefined {
  return parse(html.slice(0, 200_000)).querySelector('title')?.text.trim();
}

/** The 404 page's structure: its page id, its title, and no profile module. */
export function notFoundShape(html: string): { pid?: string; title?: string; hasProfile: boolean } {
  const state = stateOf(html);
  return {
    pid: pageIdOf(html, state),
    title: titleOf(html),
    hasProfile: isObject(baseInfoOf(state)?.userModule),
  };
}

/** A probe user's home page: today's page, or the 404 page (the user is missing). */
export function probeHome(response: HttpResponse): ProbeResult {
  const transport = probeHtml(response);
  if (transport.status !== 'ok') return transport;
  const shape = notFoundShape(response.body);
  if (shape.pid === '404' && !shape.hasProfile) {
    return { status: 'missing', detail: 'the site answers its 404 page: choose another probe user' };
  }
  return transport;
}

/** `window.__INITIAL_STATE__` present, valid JSON, with `pageData.data.baseInfo`. */
export function probeInitialState(html: string): { result: ProbeResult; baseInfo?: Json } {
  let state: unknown;
  try {
    state = extractInitialState(html);
  } catch (error) {
    return { result: changed(`window.__INITIAL_STATE__ unreadable: ${(error as Error).message}`) };
  }
  if (state === undefined) return { result: changed('no window.__INITIAL_STATE__ assignment in the page') };
  const base = baseInfoOf(state);
  if (!base) return { result: changed('window.__INITIAL_STATE__ has no pageData.data.baseInfo') };
  return { result: ok('pageData.data.baseInfo present'), baseInfo: base };
}

function requireFields(
  module: unknown,
  name: string,
  fields: [string, (value: unknown) => boolean][],
): ProbeResult {
  if (!isObject(module)) return changed(`baseInfo.${name} is missing`);
  const absent: string[] = [];
  const bad: string[] = [];
  for (const [field, valid] of fields) {
    const value = field
      .split('.')
      .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), module);
    if (value === undefined) absent.push(field);
    else if (!valid(value)) bad.push(field);
  }
  const parts: string[] = [];
  if (absent.length > 0) parts.push(`missing ${absent.join(', ')}`);
  if (bad.length > 0) parts.push(`unexpected values in ${bad.join(', ')}`);
  if (parts.length > 0) return changed(`${name}: ${parts.join('; ')} (keys: ${keysOf(module)})`);
  return ok(`${name}: ${fields.length} fields`);
}

const text = (v: unknown) => typeof v === 'string' || typeof v === 'number';

export function probeUserModule(baseInfo: Json): ProbeResult {
  return requireFields(baseInfo.userModule, 'userModule', [
    ['username', text],
    ['nickname', text],
    ['level', isCount],
    ['registrationTime', text],
  ]);
}

export function probeAchievementModule(baseInfo: Json): ProbeResult {
  return requireFields(baseInfo.achievementModule, 'achievementModule', [
    ['originalCount', isCount],
    ['rank', isCount],
    ['fansCount', isCount],
    ['followCount', isCount],
    ['wholeSiteViewCount.total', isCount],
    ['achievementList', Array.isArray],
  ]);
}

const KINDS: [RegExp, string][] = [
  [/点赞/, 'likes'],
  [/评论/, 'comments'],
  [/收藏/, 'favourites'],
];

/**
 * `achievementList`: entries whose text (`title`, `template` or `text`) names the kind and whose
 * number is in `variable` or in the text itself. Names the kinds that can no longer be read.
 */
export function probeAchievements(baseInfo: Json): ProbeResult {
  const module = baseInfo.achievementModule;
  const list = isObject(module) && Array.isArray(module.achievementList) ? module.achievementList : undefined;
  if (!list) return changed('achievementModule.achievementList is missing');
  const found = new Set<string>();
  for (const entry of list) {
    if (!isObject(entry)) continue;
    const words = [entry.title, entry.template, entry.text].find((v) => typeof v === 'string') as
      | string
      | undefined;
    if (!words) continue;
    const kind = KINDS.find(([re]) => re.test(words));
    const hasNumber = (words.includes('{0}') && isCount(entry.variable)) || /\d/.test(words);
    if (kind && hasNumber) found.add(kind[1]);
  }
  const lost = KINDS.map(([, kind]) => kind).filter((kind) => !found.has(kind));
  if (lost.length === 0) return ok('likes, comments, favourites readable');
  const first = list.find(isObject);
  return changed(
    `achievementList: ${lost.join(', ')} unreadable (item keys: ${first ? keysOf(first) : 'none'})`,
  );
}

const COUNTER_NAMES = ['总访问量', '原创', '粉丝', '关注'];

/** The head counters `.user-profile-head-info-r-c li`, by name. */
export function probeHeadCounters(html: string): ProbeResult {
  const items = parse(html).querySelectorAll('.user-profile-head-info-r-c li');
  if (items.length === 0) return changed('no .user-profile-head-info-r-c li in the page');
  const seen = new Set<string>();
  for (const li of items) {
    const name = li.querySelector('.user-profile-statistics-name')?.text.trim() ?? '';
    const num = li.querySelector('.user-profile-statistics-num');
    const label = COUNTER_NAMES.find((n) => name.startsWith(n));
    if (label && num) seen.add(label);
  }
  const lost = COUNTER_NAMES.filter((n) => !seen.has(n));
  if (lost.length > 0) {
    return changed(`counters without .user-profile-statistics-name/-num: ${lost.join(', ')}`);
  }
  return ok(`${items.length} counters`);
}

/**
 * The site's 404 page for a surely missing user: HTTP 200 or 404, HTML, page id 404
 * (pageData or the report meta), the title "404", no profile module.
 */
export function probeNotFoundPage(response: HttpResponse): ProbeResult {
  const transport = probeHtml(response, [200, 404]);
  if (transport.status !== 'ok') return transport;
  const shape = notFoundShape(response.body);
  const problems: string[] = [];
  if (shape.pid !== '404')
    problems.push(shape.pid ? `page id ${JSON.stringify(shape.pid.slice(0, 20))}` : 'no pid 404 marker');
  if (shape.title !== '404') {
    problems.push(
      shape.title === undefined
        ? 'no title'
        : `title ${JSON.stringify(shape.title.slice(0, 40))} (expected "404")`,
    );
  }
  if (shape.hasProfile) problems.push('a userModule is present');
  if (problems.length > 0) return changed(`404 page: ${problems.join('; ')}`);
  return ok(`HTTP ${response.status}, pid 404, title 404`);
}

/** `/<id>/article/list/1` in the legacy skin: `var currentPage`, `pageSize`, `listTotal`. */
export function probeLegacyPager(response: HttpResponse): ProbeResult {
  if (response.status === 404) return skipped('legacy list not served (HTTP 404)');
  const transport = probeHtml(response);
  if (transport.status !== 'ok') return transport;
  if (!isLegacyPage(response.body)) return skipped('the site does not serve the legacy skin here');
  const vars = parseLegacyVarsSafe(response.body);
  const lost = (['currentPage', 'pageSize', 'listTotal'] as const).filter((name) => vars[name] === undefined);
  if (lost.length > 0) return changed(`legacy pager variables missing: ${lost.join(', ')}`);
  if (!vars.pageSize) return changed('legacy pageSize is 0');
  return ok(`currentPage ${vars.currentPage}, pageSize ${vars.pageSize}, listTotal ${vars.listTotal}`);
}

function parseLegacyVarsSafe(html: string): ReturnType<typeof parseLegacyVars> {
  try {
    return parseLegacyVars(html);
  } catch {
    return {};
  }
}
