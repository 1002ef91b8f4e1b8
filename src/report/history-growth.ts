import type {
  ArticleHistoryPoint,
  ProfileSnapshot,
  StoredArticle,
  StoredUser,
} from '../core/result-store.js';
import { finite, safeHttpUrl } from './html-escape.js';
import { safeUserFileName } from './safe-file-name.js';
import { TopK } from './top-k.js';

/** Crawl times, epoch ms, both ends included; open ends take the whole stored history. */
export interface GrowthWindow {
  from?: number;
  to?: number;
}

/** A series of (time, value) points, oldest first, each value holding until the next point. */
type Series = readonly (readonly [number, number])[];

/**
 * How much a value grew within the window: its value in force at the end minus the one in force at
 * the start (or, for a series that starts inside the window, its first value there). Undefined
 * when the series has no value in the window.
 */
export function growthIn(series: Series, window: GrowthWindow): number | undefined {
  const from = window.from ?? Number.NEGATIVE_INFINITY;
  const to = window.to ?? Number.POSITIVE_INFINITY;
  let start: number | undefined;
  let end: number | undefined;
  for (const [t, value] of series) {
    if (t > to) break;
    if (t <= from || start === undefined) start = value;
    end = value;
  }
  return start === undefined || end === undefined ? undefined : end - start;
}

/** Columns of each article-counters row: [crawledAt, views, comments, likes, favourites]. */
export const ARTICLE_SERIES_FIELDS = ['viewCount', 'commentCount', 'diggCount', 'collectCount'] as const;

/**
 * A user's article counters summed over the articles listed at each crawl time, from the compact
 * history (a point holds until the article's next one; a deleted article counts until its mark).
 */
export function articleCounterSeries(points: ArticleHistoryPoint[], articles: StoredArticle[]): number[][] {
  const deletedAt = new Map(articles.map((a) => [a.articleId, a.deletedAt]));
  const times = [...new Set(points.map((p) => p.crawledAt))].sort((a, b) => a - b);
  const totals = times.map(() => [0, 0, 0, 0]);
  const index = new Map(times.map((t, i) => [t, i]));
  // Points come by article then time: each adds its values from its time until the next point.
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    const next = points[i + 1]?.articleId === point.articleId ? points[i + 1]!.crawledAt : Infinity;
    const until = Math.min(next, deletedAt.get(point.articleId) ?? Infinity);
    for (let k = index.get(point.crawledAt)!; k < times.length && times[k]! < until; k++)
      ARTICLE_SERIES_FIELDS.forEach((field, f) => {
        totals[k]![f]! += finite(point[field]) ?? 0;
      });
  }
  return times.map((t, k) => [t, ...totals[k]!]);
}

const TOP_N = 20;

export interface GrowthUserRow {
  username: string;
  file: string;
  visitsGained: number;
  fansGained: number | null;
}

export interface GrowthArticleRow {
  title: string;
  url: string | null;
  username: string;
  file: string;
  viewsGained: number;
}

export interface GrowthOverview {
  window: GrowthWindow;
  users: GrowthUserRow[];
  articles: GrowthArticleRow[];
}

/** The fastest-growing users (total visits) and articles (views) within a window, user by user. */
export class GrowthAggregator {
  private readonly users = new TopK<GrowthUserRow>(TOP_N);
  private readonly articles = new TopK<GrowthArticleRow>(TOP_N);

  constructor(private readonly window: GrowthWindow) {}

  addUser(
    user: StoredUser,
    snapshots: ProfileSnapshot[],
    points: ArticleHistoryPoint[],
    articles: StoredArticle[],
  ): void {
    const file = safeUserFileName(user.username);
    const series = (field: 'viewCount' | 'fansCount') =>
      snapshots.flatMap((s) => {
        const value = finite(s[field]);
        return value === undefined ? [] : [[s.crawledAt, value] as const];
      });
    const visits = growthIn(series('viewCount'), this.window);
    if (visits !== undefined && visits > 0)
      this.users.push(visits, () => ({
        username: user.username,
        file,
        visitsGained: visits,
        fansGained: growthIn(series('fansCount'), this.window) ?? null,
      }));
    const byId = new Map(articles.map((a) => [a.articleId, a]));
    let start = 0;
    for (let i = 1; i <= points.length; i++) {
      if (i < points.length && points[i]!.articleId === points[start]!.articleId) continue;
      const run = points.slice(start, i).map((p) => [p.crawledAt, finite(p.viewCount) ?? 0] as const);
      const gained = growthIn(run, this.window);
      const article = byId.get(points[start]!.articleId);
      if (gained !== undefined && gained > 0)
        this.articles.push(gained, () => ({
          title: String(article?.title ?? points[start]!.articleId),
          url: safeHttpUrl(article?.url) ?? null,
          username: user.username,
          file,
          viewsGained: gained,
        }));
      start = i;
    }
  }

  result(): GrowthOverview {
    return { window: this.window, users: this.users.sorted(), articles: this.articles.sorted() };
  }
}
