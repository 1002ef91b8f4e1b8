import type { HTMLElement } from 'node-html-parser';
import { ParseError } from '../../core/errors.js';
import type { Article, ArticleType, Profile } from '../../core/model.js';
import { ownScriptVar, type PageView, viewOf } from './page-structure.js';
import { firstInteger, parseCount } from './parse-number.js';

/**
 * The 2017-2020 ("phoenix") skin: an article item box or the aside profile as elements, or the
 * pager variables set by the page's own script (never the words in a title that spell them).
 */
export function isLegacyPage(page: string | PageView): boolean {
  const view = viewOf(page);
  return (
    view.root.querySelector('#asideProfile') !== null ||
    view.root.querySelector('div.article-item-box') !== null ||
    ownScriptVar(view.scripts, 'listTotal') !== undefined
  );
}

export interface LegacyVars {
  currentPage?: number;
  pageSize?: number;
  listTotal?: number;
  username?: string;
  isOwner?: boolean;
  currentUserName?: string;
}

/** The inline globals of a legacy page (`currentPage`, `pageSize`, `listTotal`, `username`, `isOwner`). */
export function parseLegacyVars(page: string | PageView): LegacyVars {
  const { scripts } = viewOf(page);
  const scriptVar = (name: string) => ownScriptVar(scripts, name);
  const vars: LegacyVars = {};
  const num = (name: 'currentPage' | 'pageSize' | 'listTotal') => {
    const raw = scriptVar(name);
    if (raw !== undefined) vars[name] = parseCount(raw, name);
  };
  num('currentPage');
  num('pageSize');
  num('listTotal');
  const username = scriptVar('username');
  if (username) vars.username = username;
  const owner = scriptVar('isOwner');
  if (owner === 'true' || owner === 'false') vars.isOwner = owner === 'true';
  const current = scriptVar('currentUserName');
  if (current !== undefined) vars.currentUserName = current;
  return vars;
}

/**
 * A legacy list page that says it has nothing: the list container's own empty-state element
 * (`.article-list > .no-data`, which shows 空空如也), as opposed to a page that is no list at all.
 * The words 空空如也 in a title or a nickname are not that element.
 */
export function isEmptyLegacyList(page: string | PageView): boolean {
  const { root } = viewOf(page);
  return root.querySelectorAll('.article-list .no-data').length > 0;
}

/** ceil(listTotal / pageSize), or undefined when the page does not say. */
export function legacyPageCount(vars: LegacyVars): number | undefined {
  if (vars.listTotal === undefined || !vars.pageSize) return undefined;
  return Math.ceil(vars.listTotal / vars.pageSize);
}

const TYPE_BY_CLASS: Record<string, ArticleType> = {
  'type-1': 'original',
  'type-2': 'reprint',
  'type-3': 'translation',
};
const TYPE_BY_LABEL: [RegExp, ArticleType][] = [
  [/^原/, 'original'],
  [/^转/, 'reprint'],
  [/^译|^翻译/, 'translation'],
];

function articleType(label: HTMLElement | null): ArticleType {
  if (!label) return 'unknown';
  for (const cls of label.classList.values()) {
    const byClass = TYPE_BY_CLASS[cls];
    if (byClass) return byClass;
  }
  const text = label.text.trim();
  return TYPE_BY_LABEL.find(([re]) => re.test(text))?.[1] ?? 'unknown';
}

function isHidden(el: HTMLElement): boolean {
  return /display\s*:\s*none/i.test(el.getAttribute('style') ?? '') || el.hasAttribute('hidden');
}

/**
 * Whose article an item URL names. `/<user>/article/details/<id>` names a user;
 * `https://<domain>.blog.csdn.net/article/details/<id>` (custom domain) names nobody.
 */
export function articleUrlOwner(url: string): { user?: string; articleId: string } | undefined {
  let path: string;
  try {
    path = new URL(url, 'https://blog.csdn.net').pathname;
  } catch {
    return undefined;
  }
  const named = /^\/([^/]+)\/article\/details\/(\d+)\/?$/.exec(path);
  if (named) return { user: decodeURIComponent(named[1]), articleId: named[2] };
  const bare = /^\/article\/details\/(\d+)\/?$/.exec(path);
  return bare ? { articleId: bare[1] } : undefined;
}

/**
 * The rule for "this item is the user's": the item is visible, its URL is an article URL whose
 * id equals `data-articleid`, and the URL either names this user or names no user (custom
 * domain). The 2019 dummy is hidden AND names another user, so either test alone drops it.
 */
export function isUsersItem(url: string, articleId: string, username: string): boolean {
  const owner = articleUrlOwner(url);
  if (!owner || owner.articleId !== articleId) return false;
  return owner.user === undefined || owner.user.toLowerCase() === username.toLowerCase();
}

function readNum(span: HTMLElement, field: string): number | undefined {
  const inner = span.querySelector('.num');
  const title = parseCount(span.getAttribute('title') ?? inner?.getAttribute('title'), field);
  if (title !== undefined) return title;
  return inner ? parseCount(inner.text, field) : firstInteger(span.text, field);
}

export interface LegacyListPage {
  articles: Article[];
  /** Items skipped because they were hidden (the 2019 dummy). */
  hiddenSkipped: number;
  /** Visible items whose URL is another user's. */
  foreignSkipped: number;
  vars: LegacyVars;
  pageCount?: number;
}

/** The article items of a legacy home page or `/article/list/<n>` page, in page order. */
export function parseLegacyList(page: string | PageView, username: string): LegacyListPage {
  const view = viewOf(page);
  const { root } = view;
  const articles: Article[] = [];
  let hiddenSkipped = 0;
  let foreignSkipped = 0;
  for (const box of root.querySelectorAll('div.article-item-box[data-articleid]')) {
    if (isHidden(box)) {
      hiddenSkipped++;
      continue;
    }
    const articleId = (box.getAttribute('data-articleid') ?? '').trim();
    const link = box.querySelector('h4 > a') ?? box.querySelector('h4 a');
    const url = link?.getAttribute('href')?.trim() ?? '';
    if (!/^\d+$/.test(articleId) || !link || !isUsersItem(url, articleId, username)) {
      foreignSkipped++;
      continue;
    }
    articles.push(legacyItem(box, link, articleId, url));
  }
  const vars = parseLegacyVars(view);
  return { articles, hiddenSkipped, foreignSkipped, vars, pageCount: legacyPageCount(vars) };
}

function legacyItem(box: HTMLElement, link: HTMLElement, articleId: string, url: string): Article {
  const label = link.querySelector('span.article-type');
  const type = articleType(label);
  label?.remove();
  const title = link.text.trim();
  const date = box.querySelector('span.date')?.text.trim() ?? '';
  const postTime = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(date) ? date : '';
  let viewCount: number | undefined;
  let commentCount: number | undefined;
  const nums = box.querySelectorAll('span.read-num');
  nums.forEach((span, index) => {
    const text = span.text;
    const isComment = /评论/.test(text) || (!/阅读/.test(text) && index === 1);
    if (isComment) commentCount = readNum(span, `article ${articleId} comments`);
    else viewCount = readNum(span, `article ${articleId} reads`);
  });
  if (viewCount === undefined) {
    throw new ParseError(`article ${articleId}: no exact read count in the legacy item`);
  }
  return {
    articleId,
    title,
    url,
    type,
    postTime,
    viewCount,
    commentCount: commentCount ?? 0,
  };
}

/** The state of the script-filled pager, as seen in a browser's DOM. */
export function parseLegacyPager(page: string | PageView): { present: boolean; nextDisabled: boolean } {
  const { root } = viewOf(page);
  const next = root.querySelector('li.js-page-next');
  if (!next) return { present: false, nextDisabled: true };
  const disabled = next.classList.contains('ui-pager-disabled') || next.hasAttribute('disabled');
  return { present: true, nextDisabled: disabled };
}

const ASIDE_DATA: [RegExp, 'originalCount' | 'fansCount' | 'likeCount' | 'commentCount'][] = [
  [/原创/, 'originalCount'],
  [/粉丝/, 'fansCount'],
  [/喜欢/, 'likeCount'],
  [/评论/, 'commentCount'],
];

/**
 * The legacy aside `#asideProfile`: exact values from `title` attributes, never the shown
 * "1万+". A counter whose only value is abbreviated is left out.
 */
export function parseLegacyAside(page: string | PageView): Partial<Profile> {
  const { root } = viewOf(page);
  const aside = root.querySelector('#asideProfile');
  const out: Partial<Profile> = {};
  if (!aside) return out;
  const nick = aside.querySelector('#uid');
  const nickname = (nick?.getAttribute('title') ?? nick?.text ?? '').trim();
  if (nickname) out.nickname = nickname;
  for (const dl of aside.querySelectorAll('.data-info dl')) {
    const name = dl.querySelector('dt')?.text.trim() ?? '';
    const entry = ASIDE_DATA.find(([re]) => re.test(name));
    if (!entry) continue;
    const value =
      parseCount(dl.getAttribute('title'), entry[1]) ?? parseCount(dl.querySelector('dd')?.text, entry[1]);
    if (value !== undefined) out[entry[1]] = value;
  }
  for (const dl of aside.querySelectorAll('.grade-box dl')) {
    const name = dl.querySelector('dt')?.text.trim() ?? '';
    const dd = dl.querySelector('dd');
    if (/等级/.test(name)) {
      const level = firstInteger(dl.querySelector('a[title]')?.getAttribute('title'), 'level');
      if (level !== undefined) out.level = level;
      continue;
    }
    const field = /访问/.test(name)
      ? 'viewCount'
      : /积分/.test(name)
        ? 'points'
        : /排名/.test(name)
          ? 'rank'
          : undefined;
    if (!field) continue;
    const value =
      parseCount(dd?.getAttribute('title'), field) ??
      parseCount(dl.getAttribute('title'), field) ??
      parseCount(dd?.text, field);
    if (value !== undefined) out[field] = value;
  }
  return out;
}
