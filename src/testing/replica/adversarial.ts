/**
 * Adversarial users: their nicknames, article titles and descriptions carry every marker string
 * a careless classifier might search the raw page for (the 404 page's, the security check's,
 * the legacy skin's, the empty list's, the pager script's). The crawler must read them as
 * ordinary users, exactly. Deterministic: the same users, nicknames and articles for every seed.
 * They are in no follow graph and not in `allUsernames()`: crawl them by name
 * (`replica.adversarialUsernames`).
 */

/** Every marker the CSDN classifiers ever looked for in page text, and a few look-alikes. */
export const ADVERSARIAL_MARKERS: readonly string[] = [
  '404NotFound',
  '404小站',
  '404',
  '安全验证',
  '请进行安全验证',
  'acw_sc__v2',
  "arg1='3C1D5E7F'",
  'var arg1 = "00";',
  '空空如也',
  '下一页',
  '"pid":"404"',
  "{'pid':'404'}",
  '<title>404</title>',
  '<title>请进行安全验证</title>',
  'var currentPage = 99;',
  'var listTotal = 0;',
  'var pageSize = 1;',
  'var username = "someone_else";',
  'window.__INITIAL_STATE__={"pageData":{"pid":"404","data":{}}};',
  'article-item-box',
  '<div class="article-item-box" data-articleid="1">',
  'id="asideProfile"',
  'asideProfile',
  '<div class="no-data">空空如也</div>',
  'no-data',
  '</script><script>var listTotal = 0;</script>',
  '<meta name="report" content=\'{"pid":"404"}\'>',
  'user-profile-head-info-r-c',
  'js-page-next ui-pager-disabled',
];

interface AdversarialUser {
  username: string;
  nickname: string;
  /** Articles the user has (capped by the replica's maxArticlesPerUser). */
  articles: number;
}

/**
 * One user per hazard. Article counts cover no articles (the empty list page), one page, an
 * exact page multiple and several legacy pages (20 per page), so list and pager classifiers
 * meet every marker on first, middle, last and past-the-end pages.
 */
export const ADVERSARIAL_USERS: readonly AdversarialUser[] = [
  { username: '404NotFound', nickname: '404NotFound', articles: 3 },
  { username: 'adv_404_xiaozhan', nickname: '404小站', articles: 45 },
  { username: 'adv_404', nickname: '404', articles: 0 },
  { username: 'adv_anquan', nickname: '安全验证', articles: 21 },
  { username: 'adv_qing_anquan', nickname: '请进行安全验证', articles: 1 },
  { username: 'adv_acw_cookie', nickname: "acw_sc__v2 arg1='3C1D5E7F'", articles: 40 },
  { username: 'adv_kongkong', nickname: '空空如也', articles: 0 },
  { username: 'adv_next_page', nickname: '下一页', articles: 20 },
  { username: 'adv_pid_404', nickname: '"pid":"404"', articles: 2 },
  { username: 'adv_title_404', nickname: '<title>404</title>', articles: 5 },
  {
    username: 'adv_pager_vars',
    nickname: 'var currentPage = 99; var listTotal = 0; var pageSize = 1;',
    articles: 41,
  },
  {
    username: 'adv_state',
    nickname: 'window.__INITIAL_STATE__={"pageData":{"pid":"404","data":{}}};',
    articles: 7,
  },
  {
    username: 'adv_markup',
    nickname:
      '<div class="article-item-box" id="asideProfile"><div class="no-data">空空如也</div></div></script>',
    articles: 0,
  },
  { username: 'adv_challenge_title', nickname: '<title>请进行安全验证</title>', articles: 4 },
];

export const ADVERSARIAL_USERNAMES: readonly string[] = ADVERSARIAL_USERS.map((u) => u.username);

const BY_NAME = new Map(ADVERSARIAL_USERS.map((u) => [u.username.toLowerCase(), u]));

export function adversarialUser(username: string): AdversarialUser | undefined {
  return BY_NAME.get(username.toLowerCase());
}

/** The k-th article's title: cycles through the markers, each in a sentence of its own. */
export function adversarialTitle(k: number): string {
  const marker = ADVERSARIAL_MARKERS[k % ADVERSARIAL_MARKERS.length];
  return k % 2 === 0 ? `${marker}` : `关于 ${marker} 的笔记 #${k + 1}`;
}

/** The k-th article's description: every marker of the list, in an order that shifts with k. */
export function adversarialDescription(k: number): string {
  const n = ADVERSARIAL_MARKERS.length;
  const first = ADVERSARIAL_MARKERS[(k + 3) % n];
  const second = ADVERSARIAL_MARKERS[(k + 11) % n];
  return `${first} 与 ${second}：本文不是 404 页，也不是安全验证。`;
}
