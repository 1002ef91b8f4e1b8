import { parse } from 'node-html-parser';
import type { Profile } from '../../core/model.js';
import { extractInitialState, profileFromInitialState } from './parse-initial-state.js';
import { isLegacyPage, parseLegacyAside } from './parse-legacy.js';
import { parseCount } from './parse-number.js';

/** CSDN answers a missing user with HTTP 200 and a 404 page. */
export function isNotFoundPage(html: string): boolean {
  return /"pid"\s*:\s*"404"/.test(html) || /<title>\s*404/i.test(html);
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
export function parseHomeCounters(html: string): Partial<Profile> {
  const root = parse(html);
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
export function parseHomePage(html: string, username: string): HomePage {
  if (isLegacyPage(html)) {
    return { skin: 'legacy', profile: { username, ...parseLegacyAside(html) }, via: 'legacy-aside' };
  }
  const state = extractInitialState(html);
  const fromState = state === undefined ? undefined : profileFromInitialState(state, username);
  const counters = parseHomeCounters(html);
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
