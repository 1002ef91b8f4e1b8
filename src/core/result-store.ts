import type { Article, FinalStatus, Profile, ResultSource, UserResult } from './model.js';

export interface StoredArticle extends Article {
  firstSeen: number;
  lastSeen: number;
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
  /** Every user, in username order, without loading all into memory. */
  iterateUsers(): AsyncIterable<StoredUser>;
  /** Optional: every article with its username, in (username, article id) order, streamed. */
  iterateArticles?(): AsyncIterable<StoredArticle & { username: string }>;
  /** Optional: every profile snapshot, in (username, crawl time) order, streamed. */
  iterateSnapshots?(): AsyncIterable<ProfileSnapshot>;
  /** Optional: every follow edge, in (follower, followee) order, streamed. */
  iterateEdges?(): AsyncIterable<FollowEdge>;
  counts(): Promise<ResultCounts>;
  close(): Promise<void>;
  readonly raw?: unknown;
}
