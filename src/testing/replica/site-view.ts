import type { Article, Profile } from '../../core/model.js';
import type { ReplicaArticle, UserRecord, UserTruth } from './population.js';

/**
 * What the pages and APIs read: the site at one moment. The frozen Population is one (always
 * the same moment); a living replica makes one per request for the time of that request.
 */
export interface SiteView {
  /** The moment this view shows (fuzzy dates are relative to it). */
  readonly nowMs: number;
  /** Undefined for a missing user, and in a living replica for one that vanished. */
  user(username: string): UserRecord | undefined;
  articleCount(user: UserRecord): number;
  /** Articles [start, start+count) in newest-first order. */
  slice(user: UserRecord, start: number, count: number): ReplicaArticle[];
  profile(user: UserRecord): Profile;
  blogUrl(user: UserRecord): string;
  nickname(username: string): string;
  followsOf(user: UserRecord): string[];
  fansOf(user: UserRecord): string[];
  truth(username: string): UserTruth | undefined;
}

/** The truth of one user as a view serves it: the articles newest first, as every list shows them. */
export function userTruth(view: SiteView, user: UserRecord): UserTruth {
  const articles: Article[] = view.slice(user, 0, view.articleCount(user)).map((a) => ({
    articleId: a.articleId,
    title: a.title,
    url: a.url,
    type: a.type,
    postTime: a.postTime,
    viewCount: a.viewCount,
    commentCount: a.commentCount,
    diggCount: a.diggCount,
    collectCount: a.collectCount,
    top: a.top,
  }));
  const truth: UserTruth = {
    profile: view.profile(user),
    articles,
    follows: view.followsOf(user),
    fans: view.fansOf(user),
  };
  if (user.customDomain) truth.customDomain = user.customDomain;
  return truth;
}
