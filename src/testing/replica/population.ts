import type { Article, ArticleType, Profile } from '../../core/model.js';
import {
  ADVERSARIAL_USERNAMES,
  adversarialDescription,
  adversarialTitle,
  adversarialUser,
} from './adversarial.js';
import { generateNames, nicknameFor } from './names.js';
import { type Rng, rngFor } from './prng.js';
import type { SiteView } from './site-view.js';
import { userTruth } from './site-view.js';
import { descriptionFor, titleFor } from './titles.js';

/** What the replica knows to be true about one user at this moment. */
export interface UserTruth {
  profile: Profile;
  /** Newest first, including articles published while a crawler walked the list. */
  articles: Article[];
  follows: string[];
  fans: string[];
  customDomain?: string;
}

/** The first `count` initial users get between `articles[0]` and `articles[1]` articles. */
export interface LongUsers {
  count: number;
  articles: [number, number];
}

/** The replica's "now" in China local time (kept as a UTC date so no time zone leaks in). */
export const EPOCH = Date.UTC(2025, 5, 1, 12, 0, 0);
const ARTICLE_ID_BASE = 100_000_000;
const ADVERSARIAL_ID_BASE = 900_000_000;

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** One generated article plus the fields only the JSON API shows. */
export interface ReplicaArticle extends Article {
  typeCode: number;
  description: string;
  diggCount: number;
  collectCount: number;
  top: boolean;
}

export interface UserRecord {
  index: number;
  username: string;
  nickname: string;
  level: number;
  registrationMs: number;
  customDomain?: string;
  /** Articles that existed at start; more are appended by publish(). */
  baseCount: number;
  published: number;
  drafts: number;
  extraViews: number;
  rank: number;
  points: number;
  /** 0: numbers, 1: numeric strings, 2: strings with thousands separators (in the embedded JSON). */
  counterStyle: 0 | 1 | 2;
  topIndex: number;
  /** Oldest first; index k is the k-th article the user ever published. */
  articles: ReplicaArticle[];
  viewSum: number;
  diggSum: number;
  commentSum: number;
  collectSum: number;
  originalSum: number;
}

function articleCountFor(rng: Rng): number {
  const roll = rng.next();
  if (roll < 0.1) return 0;
  if (roll < 0.35) return rng.int(1, 19);
  if (roll < 0.42) return 20 * rng.int(1, 10);
  if (roll < 0.46) return 100 * rng.int(1, 8);
  if (roll < 0.475) return rng.int(1000, 3000);
  return rng.pareto(8, 1.1, 900);
}

function typeFor(rng: Rng): { type: ArticleType; code: number } {
  const roll = rng.next();
  if (roll < 0.7) return { type: 'original', code: 1 };
  if (roll < 0.94) return { type: 'reprint', code: 2 };
  return { type: 'translation', code: 4 };
}

/**
 * The whole site: usernames and the follow graph up front (small typed data), each user's
 * profile and articles generated lazily from hash(seed, username) and cached.
 */
export class Population implements SiteView {
  /** The frozen world's moment (a living replica's views carry their own). */
  readonly nowMs = EPOCH;
  readonly initial: string[];
  readonly extras: string[];
  readonly missing: string[];
  /** Users whose texts carry every page marker (adversarial.ts): crawlable, outside the graph. */
  readonly adversarial: string[] = [...ADVERSARIAL_USERNAMES];
  private readonly byName = new Map<string, number>();
  private readonly names: string[];
  private readonly follows: number[][];
  private readonly fans: number[][];
  private readonly cache = new Map<number, UserRecord>();

  constructor(
    readonly seed: number,
    userCount: number,
    /** Caps the heavy tail (browser tests walk every page by clicking). */
    private readonly maxArticles = Number.POSITIVE_INFINITY,
    /** Long lists for the first users (walks of 40-60 pages), beside the usual distribution. */
    private readonly longUsers?: LongUsers,
  ) {
    const taken = new Set<string>();
    this.initial = generateNames(seed, 'user', userCount, taken);
    this.extras = generateNames(seed, 'extra', Math.max(4, Math.round(userCount * 0.25)), taken);
    this.missing = generateNames(seed, 'missing', 5, taken);
    this.names = [...this.initial, ...this.extras];
    for (const [i, name] of this.names.entries()) this.byName.set(name.toLowerCase(), i);
    const graph = this.buildGraph();
    this.follows = graph.follows;
    this.fans = graph.fans;
    // after the graph, so the generated users and their graph stay as they were
    for (const name of this.adversarial) {
      if (this.byName.has(name.toLowerCase())) continue;
      this.byName.set(name.toLowerCase(), this.names.length + this.adversarial.indexOf(name));
    }
  }

  nameAt(index: number): string {
    return this.names[index] ?? this.adversarial[index - this.names.length];
  }

  private buildGraph(): { follows: number[][]; fans: number[][] } {
    const total = this.names.length;
    const n = this.initial.length;
    const sets: Set<number>[] = Array.from({ length: total }, () => new Set<number>());
    for (let u = 0; u < total; u++) {
      const rng = rngFor(this.seed, 'follows', u);
      const roll = rng.next();
      const count = roll < 0.2 ? 0 : roll < 0.95 ? rng.pareto(1, 1.3, 30) : rng.int(20, 65);
      for (let i = 0; i < count; i++) {
        // squared uniform: low indexes (early, popular users) draw most fans
        const target = Math.floor(total * rng.next() ** 2);
        if (target !== u) sets[u].add(target);
      }
    }
    // every extra user is reachable from the initial ones: the first half is followed by an
    // initial user, the second half follows one of the first half (two hops away)
    const extras = total - n;
    const half = Math.ceil(extras / 2);
    for (let j = 0; j < extras; j++) {
      if (j < half) sets[(j * 7) % n].add(n + j);
      else sets[n + j].add(n + j - half);
    }
    const follows = sets.map((set) => [...set]);
    const fans: number[][] = Array.from({ length: total }, () => []);
    follows.forEach((list, u) => {
      for (const v of list) fans[v].push(u);
    });
    return { follows, fans };
  }

  /** Follow-graph indexes of a user (the living world's graph starts from these). */
  edges(index: number): { follows: readonly number[]; fans: readonly number[] } {
    return { follows: this.follows[index] ?? [], fans: this.fans[index] ?? [] };
  }

  exists(username: string): boolean {
    return this.byName.has(username.toLowerCase());
  }

  all(): string[] {
    return [...this.names];
  }

  get size(): number {
    return this.names.length;
  }

  user(username: string): UserRecord | undefined {
    const index = this.byName.get(username.toLowerCase());
    if (index === undefined) return undefined;
    let record = this.cache.get(index);
    if (!record) {
      record = this.generate(index);
      this.cache.set(index, record);
    }
    return record;
  }

  /** Without generating the user's articles: list pages of fans need only this. */
  nickname(username: string): string {
    const adversarial = adversarialUser(username);
    if (adversarial) return adversarial.nickname;
    return nicknameFor(rngFor(this.seed, 'nick', username), username);
  }

  /** The canonical spelling of a name, or undefined. */
  canonical(username: string): string | undefined {
    const index = this.byName.get(username.toLowerCase());
    return index === undefined ? undefined : this.nameAt(index);
  }

  followsOf(user: UserRecord): string[] {
    return (this.follows[user.index] ?? []).map((i) => this.names[i]);
  }

  fansOf(user: UserRecord): string[] {
    return (this.fans[user.index] ?? []).map((i) => this.names[i]);
  }

  private generate(index: number): UserRecord {
    const username = this.nameAt(index);
    const rng = rngFor(this.seed, 'profile', username);
    const drawn = articleCountFor(rng);
    // a stream of its own, so every other user (and draw) is the same with or without longUsers
    const long = this.longUsers && index < Math.min(this.longUsers.count, this.initial.length);
    const baseCount = long
      ? rngFor(this.seed, 'long', username).int(this.longUsers.articles[0], this.longUsers.articles[1])
      : Math.min(adversarialUser(username)?.articles ?? drawn, this.maxArticles);
    const years = rng.int(1, 12);
    const registrationMs =
      EPOCH - years * 365 * 86400_000 - rng.int(0, 300) * 86400_000 - rng.int(0, 86399) * 1000;
    const customDomain = rng.chance(0.05)
      ? `${
          username
            .toLowerCase()
            .replace(/[^a-z0-9]/g, '')
            .slice(0, 20) || 'blog'
        }${rng.int(1, 99)}`
      : undefined;
    const record: UserRecord = {
      index,
      username,
      nickname: this.nickname(username),
      level: 1,
      registrationMs,
      customDomain,
      baseCount,
      published: 0,
      drafts: rng.chance(0.15) ? rng.int(1, 5) : 0,
      extraViews: rng.pareto(50, 1.2, 2_000_000),
      rank: rng.int(1, 2_500_000),
      points: rng.int(0, 50_000),
      counterStyle: rng.pick([0, 1, 2] as const),
      topIndex: baseCount > 3 && rng.chance(0.08) ? rng.int(0, baseCount - 1) : -1,
      articles: [],
      viewSum: 0,
      diggSum: 0,
      commentSum: 0,
      collectSum: 0,
      originalSum: 0,
    };
    for (let k = 0; k < baseCount; k++) this.addArticle(record, k);
    record.level = Math.min(8, 1 + Math.floor(Math.log10(1 + record.viewSum + record.extraViews)));
    return record;
  }

  private articleUrl(user: UserRecord, id: number): string {
    return user.customDomain
      ? `https://${user.customDomain}.blog.csdn.net/article/details/${id}`
      : `https://blog.csdn.net/${user.username}/article/details/${id}`;
  }

  private addArticle(user: UserRecord, k: number): void {
    const article = this.makeArticle(user, k);
    user.articles.push(article);
    user.viewSum += article.viewCount;
    user.diggSum += article.diggCount;
    user.commentSum += article.commentCount;
    user.collectSum += article.collectCount;
    if (article.type === 'original') user.originalSum++;
  }

  /** The user's k-th article; `postedMs` is the living world's publication time for k >= baseCount. */
  makeArticle(user: UserRecord, k: number, postedMs?: number): ReplicaArticle {
    const rng = rngFor(this.seed, 'article', user.username, k);
    let postMs: number;
    if (postedMs !== undefined) {
      postMs = postedMs;
    } else if (k < user.baseCount) {
      const span = EPOCH - user.registrationMs;
      const step = span / (user.baseCount + 1);
      postMs = user.registrationMs + step * (k + 1) + Math.floor((rng.next() - 0.5) * step * 0.8);
    } else {
      postMs = EPOCH + (k - user.baseCount + 1) * 37 * 60_000 + rng.int(0, 59) * 1000;
    }
    postMs = Math.floor(postMs / 1000) * 1000;
    const { type, code } = typeFor(rng);
    const slot = user.index - this.names.length;
    // adversarial users number their articles apart, so no id is shared with a generated user
    const id =
      slot >= 0 ? ADVERSARIAL_ID_BASE + k * 100 + slot : ARTICLE_ID_BASE + k * this.names.length + user.index;
    const article: ReplicaArticle = {
      articleId: String(id),
      title: titleFor(rng, k),
      url: this.articleUrl(user, id),
      type,
      typeCode: code,
      postTime: formatTime(postMs),
      viewCount: k >= user.baseCount ? rng.int(0, 5) : rng.pareto(10, 1.05, 800_000),
      commentCount: rng.chance(0.6) ? 0 : rng.pareto(1, 1.4, 500),
      diggCount: rng.chance(0.5) ? 0 : rng.pareto(1, 1.2, 5000),
      collectCount: rng.chance(0.5) ? 0 : rng.pareto(1, 1.2, 8000),
      top: k === user.topIndex,
      description: descriptionFor(rng),
    };
    if (adversarialUser(user.username)) {
      article.title = adversarialTitle(k);
      article.description = adversarialDescription(k);
    }
    return article;
  }

  /** The user publishes one more article now (it becomes the newest, shifting later pages). */
  publish(user: UserRecord): void {
    this.addArticle(user, user.articles.length);
    user.published++;
  }

  articleCount(user: UserRecord): number {
    return user.articles.length;
  }

  /** Newest first: the order of every list the site shows. */
  newestFirst(user: UserRecord): ReplicaArticle[] {
    return [...user.articles].reverse();
  }

  /** Articles [start, start+count) in newest-first order, without copying the whole list. */
  slice(user: UserRecord, start: number, count: number): ReplicaArticle[] {
    const out: ReplicaArticle[] = [];
    const n = user.articles.length;
    for (let i = start; i < start + count && i < n; i++) out.push(user.articles[n - 1 - i]);
    return out;
  }

  blogUrl(user: UserRecord): string {
    return user.customDomain
      ? `https://${user.customDomain}.blog.csdn.net`
      : `https://blog.csdn.net/${user.username}`;
  }

  profile(user: UserRecord): Profile {
    return {
      username: user.username,
      nickname: user.nickname,
      level: user.level,
      originalCount: user.originalSum,
      articleCount: user.articles.length,
      rank: user.rank,
      fansCount: this.fansOf(user).length,
      followCount: this.followsOf(user).length,
      viewCount: user.viewSum + user.extraViews,
      likeCount: user.diggSum,
      commentCount: user.commentSum,
      favouriteCount: user.collectSum,
      points: user.points,
      registrationTime: formatTime(user.registrationMs),
      blogUrl: this.blogUrl(user),
    };
  }

  truth(username: string): UserTruth | undefined {
    const user = this.user(username);
    return user && userTruth(this, user);
  }
}
