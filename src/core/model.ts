/** What a crawl produces for one user. Site-neutral: every adapter fills these shapes. */

export type ArticleType = 'original' | 'reprint' | 'translation' | 'unknown';

export interface Article {
  /** The site's article id, as a decimal string (ids can outgrow safe integers on other sites). */
  articleId: string;
  title: string;
  url: string;
  type: ArticleType;
  /** Exact publication time `YYYY-MM-DD HH:mm:ss` in the site's local time, or '' when unknown. */
  postTime: string;
  viewCount: number;
  commentCount: number;
  /** Likes; absent when the source does not show them (the legacy skin). */
  diggCount?: number;
  /** Favourites; absent when the source does not show them. */
  collectCount?: number;
  top?: boolean;
}

export interface Profile {
  username: string;
  nickname?: string;
  level?: number;
  /** Original articles, as the site counts them. */
  originalCount?: number;
  /** All listed articles (the site's article count). */
  articleCount?: number;
  rank?: number;
  fansCount?: number;
  followCount?: number;
  /** Total visits to the blog. */
  viewCount?: number;
  likeCount?: number;
  commentCount?: number;
  favouriteCount?: number;
  points?: number;
  registrationTime?: string;
  blogUrl?: string;
}

/** How the data was obtained: lets tests and reports tell the API path from the browser path. */
export type ResultSource = 'api' | 'legacy-http' | 'legacy-browser';

export interface UserResult {
  username: string;
  profile: Profile;
  /** The article list, each article once, newest first. */
  articles: Article[];
  /**
   * True when `articles` is the user's whole list (the walk reached its end): an article stored
   * before and missing from it is then marked deleted (`deletedAt`). Left out (adapters that do
   * not know), nothing is ever marked deleted.
   */
  articlesComplete?: boolean;
  /** Usernames this user follows, when the list was read (graph or discovery on). */
  follows?: string[];
  /** Usernames following this user, when the list was read (graph or discovery on). */
  fans?: string[];
  /**
   * True when `follows` is the user's whole list (not cut at a cap, no page lost): the result
   * store then replaces the user's stored follows with it. Otherwise edges are only added.
   */
  followsComplete?: boolean;
  /** Same as `followsComplete`, for `fans`. */
  fansComplete?: boolean;
  source: ResultSource;
}

export type FinalStatus = 'done' | 'notfound' | 'failed';
