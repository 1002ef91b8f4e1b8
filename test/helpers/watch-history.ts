import type { ArticleHistoryPoint, ResultStore } from '../../src/core/result-store.js';
import type { UserTruth } from '../../src/testing/replica/index.js';

/**
 * What a result store says a user's article list was at each of its crawl times, rebuilt from the
 * history alone (points written only on change, `deletedAt` of the articles), to compare with the
 * replica's truth at those times.
 */
export interface ArticleTimeline {
  articleId: string;
  /** Oldest first. */
  points: ArticleHistoryPoint[];
  deletedAt?: number;
}

export async function articleTimelines(store: ResultStore): Promise<Map<string, ArticleTimeline[]>> {
  const byUser = new Map<string, Map<string, ArticleTimeline>>();
  if (!store.iterateArticleHistory) throw new Error('the result store keeps no article history');
  for await (const point of store.iterateArticleHistory()) {
    const articles = byUser.get(point.username) ?? new Map<string, ArticleTimeline>();
    byUser.set(point.username, articles);
    const line = articles.get(point.articleId) ?? { articleId: point.articleId, points: [] };
    articles.set(point.articleId, line);
    line.points.push(point);
    if (point.deletedAt !== undefined) line.deletedAt = point.deletedAt;
  }
  const out = new Map<string, ArticleTimeline[]>();
  for (const [user, articles] of byUser) {
    const lines = [...articles.values()];
    for (const line of lines) line.points.sort((a, b) => a.crawledAt - b.crawledAt);
    out.set(user, lines);
  }
  return out;
}

type Counters = Pick<ArticleHistoryPoint, 'viewCount' | 'commentCount' | 'diggCount' | 'collectCount'>;

/** The articles listed at crawl time `at` with their counters then, by id. */
export function listedAt(lines: ArticleTimeline[], at: number): Map<string, Counters> {
  const out = new Map<string, Counters>();
  for (const line of lines) {
    if (line.deletedAt !== undefined && line.deletedAt <= at) continue;
    let last: ArticleHistoryPoint | undefined;
    for (const p of line.points) if (p.crawledAt <= at) last = p;
    if (!last) continue;
    const { viewCount, commentCount, diggCount, collectCount } = last;
    out.set(line.articleId, { viewCount, commentCount, diggCount, collectCount });
  }
  return out;
}

/** The first difference between a rebuilt list and the truth, or undefined when equal. */
export function articleDiff(stored: Map<string, Counters>, truth: UserTruth): string | undefined {
  if (stored.size !== truth.articles.length)
    return `${stored.size} articles stored, truth ${truth.articles.length}`;
  for (const a of truth.articles) {
    const got = stored.get(a.articleId);
    if (!got) return `article ${a.articleId} not listed`;
    const want: Counters = {
      viewCount: a.viewCount,
      commentCount: a.commentCount,
      diggCount: a.diggCount,
      collectCount: a.collectCount,
    };
    for (const key of Object.keys(want) as (keyof Counters)[]) {
      if (got[key] !== want[key]) return `${a.articleId}.${key}: stored ${got[key]}, truth ${want[key]}`;
    }
  }
  return undefined;
}

/**
 * The first difference that no single moment explains, field by field: the same articles as one
 * of the truths, and each counter equal to that article's counter in one of them (a crawl whose
 * reads span a change of the world may hold one article's counters from its first read).
 */
export function mixedDiff(stored: Map<string, Counters>, truths: UserTruth[]): string | undefined {
  const ids = [...stored.keys()].sort().join();
  if (
    !truths.some(
      (t) =>
        t.articles
          .map((a) => a.articleId)
          .sort()
          .join() === ids,
    )
  )
    return `articles ${[...stored.keys()].join()} listed at no moment`;
  for (const [id, got] of stored) {
    for (const key of Object.keys(got) as (keyof Counters)[]) {
      const values = truths.flatMap((t) => t.articles.filter((a) => a.articleId === id).map((a) => a[key]));
      if (!values.includes(got[key])) return `${id}.${key}: stored ${got[key]}, truth ${values.join(' or ')}`;
    }
  }
  return undefined;
}

/** A span of wall-clock time during which a crawler process was up (from its first request to its stop signal). */
export interface UpWindow {
  from: number;
  to: number;
}

/** How long some crawler was up within [a, b]. */
export function upTimeWithin(windows: UpWindow[], a: number, b: number): number {
  let total = 0;
  for (const w of windows) total += Math.max(0, Math.min(b, w.to) - Math.max(a, w.from));
  return total;
}
