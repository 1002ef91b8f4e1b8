import type { Article, ArticleType, Profile } from '../../core/model.js';
import type {
  ArticleHistoryPoint,
  ProfileSnapshot,
  StoredArticle,
  StoredUser,
} from '../../core/result-store.js';

/** Column names of the result tables (profile field -> column). */
export const PROFILE_COLUMNS = [
  ['nickname', 'nickname'],
  ['level', 'level'],
  ['originalCount', 'original_count'],
  ['articleCount', 'article_count'],
  ['rank', 'rank'],
  ['fansCount', 'fans_count'],
  ['followCount', 'follow_count'],
  ['viewCount', 'view_count'],
  ['likeCount', 'like_count'],
  ['commentCount', 'comment_count'],
  ['favouriteCount', 'favourite_count'],
  ['points', 'points'],
  ['registrationTime', 'registration_time'],
  ['blogUrl', 'blog_url'],
] as const satisfies readonly (readonly [keyof Profile, string])[];

export const TEXT_PROFILE_FIELDS: ReadonlySet<string> = new Set(['nickname', 'registrationTime', 'blogUrl']);

// biome-ignore lint/suspicious/noExplicitAny: database rows are untyped
export type Row = Record<string, any>;

/** Numbers come back as strings from pg BIGINT columns; null means "not shown by the source". */
function num(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'number' ? value : Number(value);
}

export function profileValues(profile: Profile): unknown[] {
  return PROFILE_COLUMNS.map(([field]) => profile[field] ?? null);
}

export function rowToProfile(username: string, row: Row): Profile {
  const profile: Profile = { username };
  for (const [field, column] of PROFILE_COLUMNS) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    (profile as unknown as Record<string, unknown>)[field] = TEXT_PROFILE_FIELDS.has(field)
      ? String(value)
      : num(value);
  }
  return profile;
}

export function rowToSnapshot(row: Row): ProfileSnapshot {
  return { ...rowToProfile(row.username, row), crawledAt: num(row.crawled_at)! };
}

/** The columns a source may not show (null): likes, favourites, and the deletion mark. */
function setOptionalCounts(
  target: { diggCount?: number; collectCount?: number; deletedAt?: number },
  row: Row,
): void {
  const digg = num(row.digg_count);
  if (digg !== undefined) target.diggCount = digg;
  const collect = num(row.collect_count);
  if (collect !== undefined) target.collectCount = collect;
  const deleted = num(row.deleted_at);
  if (deleted !== undefined) target.deletedAt = deleted;
}

export function articleValues(article: Article): unknown[] {
  return [
    article.articleId,
    article.title,
    article.url,
    article.type,
    article.postTime,
    article.viewCount,
    article.commentCount,
    article.diggCount ?? null,
    article.collectCount ?? null,
    article.top === undefined ? null : article.top ? 1 : 0,
  ];
}

export function rowToArticle(row: Row): StoredArticle {
  const article: StoredArticle = {
    articleId: String(row.article_id),
    title: row.title,
    url: row.url,
    type: row.type as ArticleType,
    postTime: row.post_time,
    viewCount: num(row.view_count) ?? 0,
    commentCount: num(row.comment_count) ?? 0,
    firstSeen: num(row.first_seen)!,
    lastSeen: num(row.last_seen)!,
  };
  setOptionalCounts(article, row);
  if (row.top !== null && row.top !== undefined) article.top = Number(row.top) === 1 || row.top === true;
  return article;
}

/** A row of `article_history` (with `deleted_at` when the read joined the article). */
export function rowToHistoryPoint(row: Row): ArticleHistoryPoint & { deletedAt?: number } {
  const point: ArticleHistoryPoint & { deletedAt?: number } = {
    username: row.username,
    articleId: String(row.article_id),
    crawledAt: num(row.crawled_at)!,
    viewCount: num(row.view_count) ?? 0,
    commentCount: num(row.comment_count) ?? 0,
  };
  setOptionalCounts(point, row);
  return point;
}

export function rowToUser(row: Row, profile?: Profile, snapshotAt?: unknown): StoredUser {
  const user: StoredUser = {
    username: row.username,
    status: row.status,
    lastCrawledAt: num(row.last_crawled_at)!,
  };
  if (row.reason !== null && row.reason !== undefined) user.reason = row.reason;
  if (row.source !== null && row.source !== undefined) user.source = row.source;
  if (profile) user.profile = profile;
  const lastGood = num(snapshotAt);
  if (lastGood !== undefined) user.lastGoodCrawledAt = lastGood;
  return user;
}

/** Articles and usernames arrive from the site: drop duplicates so one save never conflicts with itself. */
export function uniqueArticles(articles: readonly Article[]): Article[] {
  const seen = new Map<string, Article>();
  for (const article of articles) if (!seen.has(article.articleId)) seen.set(article.articleId, article);
  return [...seen.values()];
}

export function uniqueNames(names: readonly string[] | undefined, self: string): string[] {
  return [
    ...new Set((names ?? []).filter((name) => typeof name === 'string' && name.length > 0 && name !== self)),
  ];
}
