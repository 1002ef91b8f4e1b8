import type { Article, Profile } from '../../src/core/model.js';

/** Profile fields every source (JSON API and legacy aside) carries. */
export const PROFILE_FIELDS_API: (keyof Profile)[] = [
  'username',
  'nickname',
  'level',
  'originalCount',
  'articleCount',
  'rank',
  'fansCount',
  'followCount',
  'viewCount',
];

/** Everything today's skin shows of a profile (JSON API, achievements and the page state). */
export const PROFILE_FIELDS_TODAY: (keyof Profile)[] = [
  ...PROFILE_FIELDS_API,
  'likeCount',
  'commentCount',
  'favouriteCount',
  'registrationTime',
  'blogUrl',
];

/** What the 2019 aside and list show (docs/replica.md): no follow count, no registration time. */
export const PROFILE_FIELDS_LEGACY: (keyof Profile)[] = [
  'username',
  'nickname',
  'level',
  'rank',
  'fansCount',
  'viewCount',
  'originalCount',
  'likeCount',
  'commentCount',
  'points',
  'articleCount',
];

/** Article fields every source provides (the 2019 list shows no more). */
export const ARTICLE_FIELDS: (keyof Article)[] = [
  'articleId',
  'title',
  'url',
  'type',
  'postTime',
  'viewCount',
  'commentCount',
];

/** The article fields every source provides, to compare a crawled article with its truth. */
export const pickArticle = (a: Article) => Object.fromEntries(ARTICLE_FIELDS.map((k) => [k, a[k]]));
