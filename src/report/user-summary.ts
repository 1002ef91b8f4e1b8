import type { ProfileSnapshot, StoredArticle, StoredUser } from '../core/result-store.js';
import { finite } from './html-escape.js';
import { monthRange, postMonth } from './report-time.js';

/** Counters charted over time, in this order in each compact snapshot row. */
export const SNAPSHOT_FIELDS = [
  'fansCount',
  'followCount',
  'articleCount',
  'originalCount',
  'viewCount',
  'rank',
  'points',
  'likeCount',
  'commentCount',
] as const;

export type SnapshotField = (typeof SNAPSHOT_FIELDS)[number];

/** View-count buckets: `0`, then decades. */
export const VIEW_BUCKETS = ['0', '1–9', '10–99', '100–999', '1k–9.9k', '10k–99k', '100k–999k', '≥1M'];

export function viewBucket(views: number): number {
  if (!(views > 0)) return 0;
  return Math.min(VIEW_BUCKETS.length - 1, 1 + Math.floor(Math.log10(views)));
}

/** What a user's page charts: small, pre-aggregated, JSON-ready (arrays rather than objects). */
export interface UserChartData {
  username: string;
  /** [crawledAt, ...SNAPSHOT_FIELDS values (null when absent)] per snapshot, oldest first. */
  snapshots: (number | null)[][];
  /** Months from the first to the last article, and articles published in each. */
  months: string[];
  published: number[];
  /** Article counts per VIEW_BUCKETS entry. */
  viewBuckets: number[];
  types: Record<string, number>;
}

export interface UserSummary {
  user: StoredUser;
  chart: UserChartData;
  articleCount: number;
  totalViews: number;
}

export function summarizeUser(
  user: StoredUser,
  articles: StoredArticle[],
  snapshots: ProfileSnapshot[],
): UserSummary {
  const perMonth = new Map<string, number>();
  const viewBuckets = new Array<number>(VIEW_BUCKETS.length).fill(0);
  const types: Record<string, number> = {};
  let totalViews = 0;
  for (const a of articles) {
    const month = postMonth(a.postTime);
    if (month) perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
    const views = finite(a.viewCount) ?? 0;
    totalViews += views;
    viewBuckets[viewBucket(views)]!++;
    const type = articleTypeKey(a.type);
    types[type] = (types[type] ?? 0) + 1;
  }
  const sortedMonths = [...perMonth.keys()].sort();
  const months = sortedMonths.length ? monthRange(sortedMonths[0]!, sortedMonths.at(-1)!) : [];
  const rows = snapshots.map((s) => [s.crawledAt, ...SNAPSHOT_FIELDS.map((f) => finite(s[f]) ?? null)]);
  return {
    user,
    articleCount: articles.length,
    totalViews,
    chart: {
      username: user.username,
      snapshots: rows,
      months,
      published: months.map((m) => perMonth.get(m) ?? 0),
      viewBuckets,
      types,
    },
  };
}

const KNOWN_TYPES = new Set(['original', 'reprint', 'translation']);

/** Article types are a closed set; anything else a store returns is counted as unknown. */
export function articleTypeKey(type: unknown): string {
  return typeof type === 'string' && KNOWN_TYPES.has(type) ? type : 'unknown';
}
