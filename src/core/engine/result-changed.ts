/**
 * Did a user's data change since the previous crawl? The adaptive cadence (refresh-cadence.ts)
 * refreshes a changing user sooner. Compared: the profile's counters (they include the article
 * count and the totals of views, likes, comments and favourites), then each article's counters
 * and whether it is new. Text fields (nickname, titles) are not counters and are left out.
 */
import type { Article, Profile } from '../model.js';

const PROFILE_COUNTERS = [
  'level',
  'originalCount',
  'articleCount',
  'rank',
  'fansCount',
  'followCount',
  'viewCount',
  'likeCount',
  'commentCount',
  'favouriteCount',
  'points',
] as const satisfies readonly (keyof Profile)[];

const ARTICLE_COUNTERS = [
  'viewCount',
  'commentCount',
  'diggCount',
  'collectCount',
] as const satisfies readonly (keyof Article)[];

export function profileChanged(before: Profile, after: Profile): boolean {
  return PROFILE_COUNTERS.some((key) => before[key] !== after[key]);
}

/**
 * True when an article is new or one of its counters moved. An article missing from `after`
 * (deleted) shows in the profile's article count, so stored rows of deleted articles do not
 * count as a change on every later crawl.
 */
export function articlesChanged(before: readonly Article[], after: readonly Article[]): boolean {
  const known = new Map(before.map((a) => [a.articleId, a]));
  return after.some((article) => {
    const old = known.get(article.articleId);
    return !old || ARTICLE_COUNTERS.some((key) => old[key] !== article[key]);
  });
}
