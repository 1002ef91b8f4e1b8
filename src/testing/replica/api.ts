import {
  type ApiVariant,
  businessListWindow,
  DEFAULT_API_VARIANT,
  shapeBusinessListData,
} from './api-variant.js';
import { fuzzyTime } from './fuzzy-time.js';
import type { ReplicaArticle, UserRecord } from './population.js';
import type { Rng } from './prng.js';
import type { SiteView } from './site-view.js';

/** A uuid-shaped trace id from the seeded PRNG. */
export function traceId(rng: Rng): string {
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[rng.int(0, 15)];
    return s;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

export function envelope(rng: Rng, data: unknown, code = 200, message = 'success'): string {
  return JSON.stringify({ code, message, traceId: traceId(rng), data });
}

/** Missing users: the API answers code 400 "用户不存在" with `data: null` (documented choice). */
export function missingUser(rng: Rng): string {
  return envelope(rng, null, 400, '用户不存在');
}

function apiItem(user: UserRecord, a: ReplicaArticle, nowMs: number): Record<string, unknown> {
  // counters as strings for one kind of user: the site's shapes vary and parsers must cope
  const n = (v: number): number | string => (user.counterStyle === 1 ? String(v) : v);
  return {
    articleId: Number(a.articleId),
    title: a.title,
    description: a.description,
    url: a.url,
    type: a.typeCode,
    top: a.top,
    forcePlan: false,
    viewCount: n(a.viewCount),
    commentCount: n(a.commentCount),
    editUrl: `https://editor.csdn.net/md?articleId=${a.articleId}`,
    postTime: a.postTime,
    diggCount: n(a.diggCount),
    formatTime: fuzzyTime(a.postTime, nowMs),
    picList: [],
    collectCount: n(a.collectCount),
  };
}

/** Largest page the API honours; a bigger `size` is silently cut to it. */
export const MAX_API_SIZE = 100;

export function businessList(
  pop: SiteView,
  user: UserRecord,
  page: number,
  size: number,
  rng: Rng,
  variant: ApiVariant = DEFAULT_API_VARIANT,
): string {
  const count = pop.articleCount(user);
  const total = count + user.drafts;
  if (count === 0) return envelope(rng, shapeBusinessListData(variant, { total }));
  const [offset, length] = businessListWindow(variant, page, size);
  const items = pop.slice(user, offset, length).map((a) => apiItem(user, a, pop.nowMs));
  return envelope(rng, shapeBusinessListData(variant, { list: items, total }));
}

export function tabTotal(pop: SiteView, user: UserRecord, rng: Rng): string {
  const r = (k: string) => (user.index * 31 + k.length * 7) % 5;
  return envelope(rng, {
    blog: pop.articleCount(user),
    blogColumn: r('blogColumn'),
    download: r('download'),
    bbs: r('bbs'),
    ask: r('ask'),
    video: 0,
    live: 0,
  });
}

/** A list item's `id` (v2's cursor): decreasing with the position, not the position itself. */
function listItemId(position: number): number {
  return 900_000_000 - position * 7;
}

/**
 * get-fans-list / get-follow-list. v1 pages by `page` and `size`; v2 by cursor when `cursor`
 * (the `id` of the last item read) is set, from the item after it, else by `page`.
 */
export function userList(
  pop: SiteView,
  names: string[],
  page: number,
  size: number,
  rng: Rng,
  cursor = 0,
): string {
  let start = (page - 1) * size;
  if (cursor > 0) {
    const at = names.findIndex((_, i) => listItemId(i) === cursor);
    start = at === -1 ? names.length : at + 1;
  }
  const list = names.slice(start, start + size).map((username, i) => ({
    username,
    nickname: pop.nickname(username),
    userAvatar: 'https://profile-avatar.csdnimg.cn/default.jpg!1',
    blogUrl: `https://blog.csdn.net/${username}`,
    loginUserNameIsFollow: false,
    blogExpert: (username.length + i) % 13 === 0,
    briefIntroduction: '',
    id: listItemId(start + i),
  }));
  return envelope(rng, { list, total: names.length });
}
