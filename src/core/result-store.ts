import type { Article, FinalStatus, Profile, ResultSource, UserResult } from './model.js';

export interface StoredArticle extends Article {
  firstSeen: number;
  lastSeen: number;
  /**
   * The first crawl whose complete article list no longer held it (absent while it is listed). A
   * later crawl that lists it again clears it.
   */
  deletedAt?: number;
}

/**
 * An article's counters as a crawl saw them. Stored only when a counter changed since the
 * article's previous point (the first crawl that sees an article writes its first point), so a
 * value holds from its `crawledAt` until the next point.
 */
export interface ArticleHistoryPoint {
  username: string;
  articleId: string;
  crawledAt: number;
  viewCount: number;
  commentCount: number;
  diggCount?: number;
  collectCount?: number;
}

/** Crawl times, epoch milliseconds, both ends included; a missing end is open. */
export interface HistoryRange {
  from?: number;
  to?: number;
}

export interface ProfileSnapshot extends Profile {
  crawledAt: number;
}

export interface StoredUser {
  username: string;
  status: FinalStatus;
  reason?: string;
  source?: ResultSource;
  lastCrawledAt: number;
  /** The latest profile snapshot. */
  profile?: Profile;
  /**
   * When the latest profile snapshot was taken: the last crawl that succeeded. After a failed
   * recrawl, `status` is failed while this (and the stored articles) still show the earlier result.
   */
  lastGoodCrawledAt?: number;
}

/** One follow edge: `follower` follows `followee`; `firstSeen` is when a crawl first saw it. */
export interface FollowEdge {
  follower: string;
  followee: string;
  firstSeen: number;
}

export interface ResultCounts {
  users: number;
  articles: number;
  snapshots: number;
  edges: number;
}

/**
 * Where results go. One transaction per user, idempotent: saving the same result twice leaves
 * one article row per article and one snapshot per crawl.
 */
export interface ResultStore {
  /** Write a crawled user: user row, a profile snapshot, articles upserted by id, follow edges. */
  saveUser(result: UserResult, crawledAt: number): Promise<void>;
  /** Record a final outcome that has no data (notfound, failed with its reason). */
  saveOutcome(
    username: string,
    status: Exclude<FinalStatus, 'done'>,
    reason: string | undefined,
    at: number,
  ): Promise<void>;
  getUser(username: string): Promise<StoredUser | undefined>;
  /** Articles of a user, newest first. */
  getArticles(username: string): Promise<StoredArticle[]>;
  /** Profile snapshots of a user, oldest first (the time series). */
  getSnapshots(username: string): Promise<ProfileSnapshot[]>;
  getEdges(username: string): Promise<{ follows: string[]; fans: string[] }>;
  /**
   * Optional (a store without it keeps no history): the user's article counters over time, by
   * article id then crawl time, up to `to`. With `from`, each article starts at its last point at
   * or before `from` (the values in force at `from`, as points are written only on change), so
   * growth between two dates is last minus first per article.
   */
  articleHistory?(username: string, range?: HistoryRange): Promise<ArticleHistoryPoint[]>;
  /** Optional: profile snapshots of a user taken within `range` (one per crawl), oldest first. */
  profileHistory?(username: string, range?: HistoryRange): Promise<ProfileSnapshot[]>;
  /** Every user, in username order, without loading all into memory. */
  iterateUsers(): AsyncIterable<StoredUser>;
  /** Optional: every article with its username, in (username, article id) order, streamed. */
  iterateArticles?(): AsyncIterable<StoredArticle & { username: string }>;
  /** Optional: every profile snapshot, in (username, crawl time) order, streamed. */
  iterateSnapshots?(): AsyncIterable<ProfileSnapshot>;
  /** Optional: every follow edge, in (follower, followee) order, streamed. */
  iterateEdges?(): AsyncIterable<FollowEdge>;
  /**
   * Optional: every article history point with its username and the article's `deletedAt`, in
   * (username, article id, crawl time) order, streamed.
   */
  iterateArticleHistory?(): AsyncIterable<ArticleHistoryPoint & { deletedAt?: number }>;
  counts(): Promise<ResultCounts>;
  close(): Promise<void>;
  readonly raw?: unknown;
}
