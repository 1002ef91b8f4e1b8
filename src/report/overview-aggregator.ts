import type { ProfileSnapshot, StoredArticle, StoredUser } from '../core/result-store.js';
import { finite, safeHttpUrl } from './html-escape.js';
import { epochMonth, monthRange, postEpoch, postMonth } from './report-time.js';
import { safeUserFileName } from './safe-file-name.js';
import { Reservoir, TopK } from './top-k.js';
import { articleTypeKey } from './user-summary.js';

/** Upper bound on points per scatter: enough to see the shape, small enough to load fast. */
export const SCATTER_SAMPLE = 4000;
const TOP_N = 100;
const TOP_REASONS = 15;

export interface TopUserRow {
  username: string;
  file: string;
  nickname: string;
  articles: number;
  fans: number | null;
  visits: number | null;
  rank: number | null;
}

export interface TopArticleRow {
  title: string;
  url: string | null;
  username: string;
  file: string;
  views: number;
  comments: number;
  type: string;
  postTime: string;
}

/** [x, y, username]: rank or visits against article count; published against fan growth. */
export type ScatterPoint = [number, number, string];

export interface OverviewData {
  title: string;
  generatedAt: number;
  counts: {
    users: number;
    done: number;
    notfound: number;
    failed: number;
    articles: number;
    snapshots: number;
    /** Follow edges in the store, including those to users never crawled. */
    edges: number;
  };
  reasons: [string, number][];
  rankScatter: { points: ScatterPoint[]; total: number };
  visitsScatter: { points: ScatterPoint[]; total: number };
  monthly: { months: string[]; published: number[]; fanGrowth: number[] };
  intervals: { points: ScatterPoint[]; total: number };
  types: { type: string; articles: number; views: number }[];
  topUsers: TopUserRow[];
  topArticles: TopArticleRow[];
}

/**
 * Folds users into the overview one at a time: memory stays bounded by the number of months,
 * the sample sizes and the top-N lists, whatever the number of users and articles.
 */
export class OverviewAggregator {
  private counts = { users: 0, done: 0, notfound: 0, failed: 0, articles: 0, snapshots: 0 };
  private reasons = new Map<string, number>();
  private rankScatter = new Reservoir<ScatterPoint>(SCATTER_SAMPLE, 1);
  private visitsScatter = new Reservoir<ScatterPoint>(SCATTER_SAMPLE, 2);
  private intervals = new Reservoir<ScatterPoint>(SCATTER_SAMPLE, 3);
  private published = new Map<string, number>();
  private fanGrowth = new Map<string, number>();
  private types = new Map<string, { articles: number; views: number }>();
  private topUsers = new TopK<TopUserRow>(TOP_N);
  private topArticles = new TopK<TopArticleRow>(TOP_N);

  addUser(user: StoredUser, articles: StoredArticle[], snapshots: ProfileSnapshot[]): void {
    const c = this.counts;
    c.users++;
    if (user.status === 'done') c.done++;
    else if (user.status === 'notfound') c.notfound++;
    else {
      c.failed++;
      const reason = normaliseReason(user.reason);
      this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    }
    c.articles += articles.length;
    c.snapshots += snapshots.length;

    const file = safeUserFileName(user.username);
    const publishTimes: number[] = [];
    for (const a of articles) {
      const month = postMonth(a.postTime);
      if (month) this.published.set(month, (this.published.get(month) ?? 0) + 1);
      const t = postEpoch(a.postTime);
      if (t !== undefined) publishTimes.push(t);
      const views = finite(a.viewCount) ?? 0;
      const type = articleTypeKey(a.type);
      const byType = this.types.get(type) ?? { articles: 0, views: 0 };
      byType.articles++;
      byType.views += views;
      this.types.set(type, byType);
      this.topArticles.push(views, () => ({
        title: String(a.title ?? ''),
        url: safeHttpUrl(a.url) ?? null,
        username: user.username,
        file,
        views,
        comments: finite(a.commentCount) ?? 0,
        type,
        postTime: String(a.postTime ?? ''),
      }));
    }

    const profile = user.profile ?? snapshots.at(-1);
    // A failed recrawl keeps its last good profile in the rankings (the failure is counted above).
    if (profile && user.status !== 'notfound') {
      const rank = finite(profile.rank);
      const visits = finite(profile.viewCount);
      const n = articles.length;
      if (n > 0 && rank !== undefined && rank > 0) this.rankScatter.add([rank, n, user.username]);
      if (n > 0 && visits !== undefined && visits > 0) this.visitsScatter.add([visits, n, user.username]);
      this.topUsers.push(visits ?? -1, () => ({
        username: user.username,
        file,
        nickname: String(profile.nickname ?? ''),
        articles: n,
        fans: finite(profile.fansCount) ?? null,
        visits: visits ?? null,
        rank: rank ?? null,
      }));
    }

    this.addIntervals(user.username, snapshots, publishTimes);
  }

  /** Fan growth between consecutive snapshots, against articles published in the same interval. */
  private addIntervals(username: string, snapshots: ProfileSnapshot[], publishTimes: number[]): void {
    if (snapshots.length < 2) return;
    publishTimes.sort((a, b) => a - b);
    for (let i = 1; i < snapshots.length; i++) {
      const before = snapshots[i - 1]!;
      const after = snapshots[i]!;
      const f0 = finite(before.fansCount);
      const f1 = finite(after.fansCount);
      if (f0 === undefined || f1 === undefined) continue;
      const growth = f1 - f0;
      const month = epochMonth(after.crawledAt);
      if (month) this.fanGrowth.set(month, (this.fanGrowth.get(month) ?? 0) + growth);
      const published = countInRange(publishTimes, before.crawledAt, after.crawledAt);
      this.intervals.add([published, growth, username]);
    }
  }

  result(title: string, generatedAt: number, edges: number): OverviewData {
    const monthKeys = [...this.published.keys(), ...this.fanGrowth.keys()].sort();
    const months = monthKeys.length ? monthRange(monthKeys[0]!, monthKeys.at(-1)!) : [];
    const reasons = [...this.reasons.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const shown = reasons.slice(0, TOP_REASONS);
    const rest = reasons.slice(TOP_REASONS).reduce((sum, [, n]) => sum + n, 0);
    if (rest > 0) shown.push(['(other reasons)', rest]);
    return {
      title,
      generatedAt,
      counts: { ...this.counts, edges },
      reasons: shown,
      rankScatter: { points: this.rankScatter.items, total: this.rankScatter.seen },
      visitsScatter: { points: this.visitsScatter.items, total: this.visitsScatter.seen },
      monthly: {
        months,
        published: months.map((m) => this.published.get(m) ?? 0),
        fanGrowth: months.map((m) => this.fanGrowth.get(m) ?? 0),
      },
      intervals: { points: this.intervals.items, total: this.intervals.seen },
      types: [...this.types.entries()]
        .map(([type, v]) => ({ type, ...v }))
        .sort((a, b) => b.articles - a.articles),
      topUsers: this.topUsers.sorted(),
      topArticles: this.topArticles.sorted(),
    };
  }
}

/** Reasons are free text that may embed ids or crawled text: keep them short and countable. */
function normaliseReason(reason: string | undefined): string {
  const text = String(reason ?? '').trim();
  if (!text) return '(no reason recorded)';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Number of sorted times t with from < t <= to. */
function countInRange(sorted: number[], from: number, to: number): number {
  return upperBound(sorted, to) - upperBound(sorted, from);
}

function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
