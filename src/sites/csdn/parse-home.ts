import type { Profile } from '../../core/model.js';
import { findInCode, ownAssignedObject, type PageView, pageTitle, viewOf } from './page-structure.js';
import { baseInfoOf, extractInitialState, profileFromInitialState } from './parse-initial-state.js';
import { isLegacyPage, parseLegacyAside } from './parse-legacy.js';
import { parseCount } from './parse-number.js';

/** The title of the site's own 404 page, exactly (an existing user's title is `<nickname>-CSDN博客`). */
const NOT_FOUND_TITLES = new Set(['404', '404 - CSDN']);

/**
 * The `window.__INITIAL_STATE__` object the page's own code assigns (a nickname or a title that
 * spells the marker is a string, never code). Undefined when no code assigns it; ParseError when
 * the assignment is there but not readable JSON.
 */
export function ownInitialState(page: string | PageView): unknown {
  const view = viewOf(page);
  let read = STATES.get(view);
  if (!read) {
    // read once per parsed page: the 404 test, the profile test and the profile all need it
    const hit = findInCode(view.scripts, /window\.__INITIAL_STATE__\s*=/);
    try {
      read = { value: hit ? extractInitialState(hit.script.code.slice(hit.start)) : undefined };
    } catch (error) {
      read = { error };
    }
    STATES.set(view, read);
  }
  if ('error' in read) throw read.error;
  return read.value;
}

const STATES = new WeakMap<PageView, { value: unknown } | { error: unknown }>();

function stateOrUndefined(view: PageView): unknown {
  try {
    return ownInitialState(view);
  } catch {
    return undefined;
  }
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The page type the page declares in its own markup: the `report` meta (`content='{"pid":..}'`),
 * `pageData.pid` of its own embedded state, or a `trackData` object its own code sets.
 */
export function ownPageId(page: string | PageView): string | undefined {
  const view = viewOf(page);
  for (const meta of view.root.querySelectorAll('meta[name="report"]')) {
    try {
      const pid = obj(JSON.parse(meta.getAttribute('content') ?? ''))?.pid;
      if (pid !== undefined) return String(pid);
    } catch {
      // not JSON: no page type here
    }
  }
  const pid = obj(obj(stateOrUndefined(view))?.pageData)?.pid;
  if (pid !== undefined) return String(pid);
  const tracked = obj(ownAssignedObject(view.scripts, '(?:^|[;\\s{}(])var\\s+trackData'))?.pid;
  if (tracked !== undefined) return String(tracked);
  return undefined;
}

/**
 * A user's profile module is on the page: the embedded state's userModule, today's head
 * counters, or the legacy aside. Elements and code only: crawled text cannot create them.
 */
export function hasProfileModule(page: string | PageView): boolean {
  const view = viewOf(page);
  if (view.root.querySelector('#asideProfile')) return true;
  if (view.root.querySelector('.user-profile-head-info-r-c li')) return true;
  return obj(baseInfoOf(stateOrUndefined(view))?.userModule) !== undefined;
}

/**
 * The site's own 404 page (CSDN answers a missing user with it, usually with HTTP 200): no
 * profile module, and the page type 404 in its own markup (or, with no page type at all, a
 * title that is exactly the 404 title). A title that merely starts with 404 is a nickname.
 */
export function isNotFoundPage(page: string | PageView): boolean {
  const view = viewOf(page);
  if (hasProfileModule(view)) return false;
  const pid = ownPageId(view);
  if (pid !== undefined) return pid === '404';
  const title = pageTitle(view.root);
  return title !== undefined && NOT_FOUND_TITLES.has(title);
}

const COUNTER_NAMES: [string, 'viewCount' | 'originalCount' | 'rank' | 'fansCount' | 'followCount'][] = [
  ['总访问量', 'viewCount'],
  ['原创', 'originalCount'],
  ['排名', 'rank'],
  ['粉丝', 'fansCount'],
  ['关注', 'followCount'],
];

/**
 * The server-rendered counters of today's head (`.user-profile-head-info-r-c li`), matched by
 * their name, not their position. The exact value is taken from a `title` attribute when the
 * shown text is abbreviated ("1万+"); a counter with no exact value is left out.
 */
export function parseHomeCounters(page: string | PageView): Partial<Profile> {
  const { root } = viewOf(page);
  const out: Partial<Profile> = {};
  for (const li of root.querySelectorAll('.user-profile-head-info-r-c li')) {
    const name = li.querySelector('.user-profile-statistics-name')?.text.trim() ?? '';
    const numEl = li.querySelector('.user-profile-statistics-num');
    if (!numEl) continue;
    const entry = COUNTER_NAMES.find(([label]) => name.startsWith(label));
    if (!entry) continue;
    const field = entry[1];
    const exact =
      parseCount(numEl.getAttribute('title'), field) ??
      parseCount(li.getAttribute('title'), field) ??
      parseCount(numEl.text, field);
    if (exact !== undefined) out[field] = exact;
  }
  return out;
}

export type HomeSkin = 'today' | 'legacy' | 'unknown';

export interface HomePage {
  skin: HomeSkin;
  profile: Profile;
  /** Where the profile came from, for logs. */
  via: 'initial-state' | 'counters' | 'legacy-aside' | 'none';
}

/**
 * Everything the home page says about the user: the embedded JSON first, the head counters
 * to fill its gaps (or to stand in for it), and the 2019 aside on a legacy page.
 * Call isNotFoundPage first: this function does not judge existence.
 */
export function parseHomePage(page: string | PageView, username: string): HomePage {
  const view = viewOf(page);
  if (isLegacyPage(view)) {
    return { skin: 'legacy', profile: { username, ...parseLegacyAside(view) }, via: 'legacy-aside' };
  }
  const state = ownInitialState(view);
  const fromState = state === undefined ? undefined : profileFromInitialState(state, username);
  const counters = parseHomeCounters(view);
  if (fromState) {
    for (const [key, value] of Object.entries(counters) as [keyof Profile, never][]) {
      if (fromState[key] === undefined) fromState[key] = value;
    }
    return { skin: 'today', profile: fromState, via: 'initial-state' };
  }
  if (Object.keys(counters).length > 0) {
    return { skin: 'today', profile: { username, ...counters }, via: 'counters' };
  }
  return { skin: 'unknown', profile: { username }, via: 'none' };
}
