import { EPOCH, type Population, type ReplicaArticle, type UserRecord } from './population.js';
import { type Rng, rngFor } from './prng.js';

// How one user's blog changes over replica time: a closed form of the time (rates and event
// times drawn once per user from the seed), so any moment costs the same to compute.

export const DAY = 86_400_000;
/** Share of articles deleted within a year of the start (or of their publication). */
const DELETED_SHARE = 0.03;

export interface Traits {
  /** 0: dormant (nothing of theirs changes but their fans); else how lively the blog is. */
  activity: number;
  /** Replica time the account vanishes (Infinity: never). */
  vanishAt: number;
  /** New articles per replica day (0: publishes nothing). */
  publishRate: number;
}

const FROZEN: Traits = { activity: 0, vanishAt: Number.POSITIVE_INFINITY, publishRate: 0 };

export function traitsFor(seed: number, username: string, adversarial: boolean): Traits {
  if (adversarial) return FROZEN;
  const rng = rngFor(seed, 'living', username);
  if (rng.chance(0.3)) return FROZEN;
  const activity = 0.3 + 4.7 * rng.next() ** 3;
  const vanishAt = rng.chance(0.04)
    ? EPOCH + DAY + Math.floor(rng.next() * 60 * DAY)
    : Number.POSITIVE_INFINITY;
  const publishRate = rng.chance(0.35) ? 0 : 0.02 + 0.6 * rng.next() ** 2;
  return { activity, vanishAt, publishRate };
}

interface ArticlePlan {
  /** The article as it was at `growFrom`. */
  base: ReplicaArticle;
  postMs: number;
  growFrom: number;
  deletedAt: number;
  /** Per replica day: views, comments, likes (digg), favourites (collect). */
  rates: [number, number, number, number];
  still: boolean;
}

export interface UserPlan {
  traits: Traits;
  /** Oldest first: the initial articles, then those published up to `nextPost`. */
  articles: ArticlePlan[];
  nextPost: number;
  schedule: Rng;
}

/** The articles listed at one moment, with their counters then. */
export interface LiveArticles {
  articles: ReplicaArticle[];
  /** Reads of the articles deleted by then (the blog's total reads keep them). */
  deletedViews: number;
  /** Articles published since the start, deleted ones included. */
  published: number;
}

const postMsOf = (a: ReplicaArticle) => Date.parse(`${a.postTime.replace(' ', 'T')}Z`);

function articlePlan(seed: number, user: UserRecord, a: ReplicaArticle, k: number, traits: Traits) {
  const rng = rngFor(seed, 'grow', user.index, k);
  const postMs = postMsOf(a);
  const fresh = k >= user.baseCount;
  const growFrom = Math.max(EPOCH, postMs);
  const ageDays = Math.max(1, (EPOCH - postMs) / DAY);
  const jitter = () => 0.5 + rng.next();
  const views =
    traits.activity * (fresh ? 5 + 60 * rng.next() : (0.2 + a.viewCount / (ageDays + 30)) * jitter());
  const rates: ArticlePlan['rates'] = [
    views,
    views * 0.004 * jitter(),
    views * 0.02 * jitter(),
    views * 0.025 * jitter(),
  ];
  const roll = rng.next();
  const deletedAt =
    traits.activity > 0 && roll < DELETED_SHARE
      ? growFrom + 1000 + Math.floor((roll / DELETED_SHARE) * 365 * DAY)
      : Number.POSITIVE_INFINITY;
  const plan: ArticlePlan = { base: a, postMs, growFrom, deletedAt, rates, still: views === 0 };
  return plan;
}

/** Seconds-exact gap to the next publication of a Poisson process with `rate` per day. */
function gap(rng: Rng, rate: number): number {
  return Math.max(1000, Math.floor(((-Math.log(1 - rng.next()) / rate) * DAY) / 1000) * 1000);
}

export function planUser(seed: number, user: UserRecord, traits: Traits): UserPlan {
  const articles = user.articles
    .slice(0, user.baseCount)
    .map((a, k) => articlePlan(seed, user, a, k, traits));
  const schedule = rngFor(seed, 'publish', user.username);
  const nextPost =
    traits.publishRate > 0 ? EPOCH + gap(schedule, traits.publishRate) : Number.POSITIVE_INFINITY;
  return { traits, articles, nextPost, schedule };
}

/** Plan every article published up to `t` (the plan only grows; earlier moments filter it). */
function extendTo(pop: Population, user: UserRecord, plan: UserPlan, t: number): void {
  while (plan.nextPost <= t) {
    const k = plan.articles.length;
    // a new article starts with a few reads and nothing else; it grows from there
    const a = { ...pop.makeArticle(user, k, plan.nextPost), commentCount: 0, diggCount: 0, collectCount: 0 };
    plan.articles.push(articlePlan(pop.seed, user, a, k, plan.traits));
    plan.nextPost += gap(plan.schedule, plan.traits.publishRate);
  }
}

function counters(p: ArticlePlan, t: number): ReplicaArticle {
  const days = Math.max(0, Math.min(t, p.deletedAt) - p.growFrom) / DAY;
  if (p.still || days === 0) return p.base;
  const [v, c, d, f] = p.rates;
  const b = p.base;
  return {
    ...b,
    viewCount: b.viewCount + Math.floor(v * days),
    commentCount: b.commentCount + Math.floor(c * days),
    diggCount: b.diggCount + Math.floor(d * days),
    collectCount: b.collectCount + Math.floor(f * days),
  };
}

export function liveArticles(pop: Population, user: UserRecord, plan: UserPlan, t: number): LiveArticles {
  extendTo(pop, user, plan, t);
  const out: LiveArticles = { articles: [], deletedViews: 0, published: 0 };
  for (const p of plan.articles) {
    if (p.postMs > t) break;
    if (p.postMs >= EPOCH) out.published++;
    if (t > p.deletedAt) out.deletedViews += counters(p, t).viewCount;
    else out.articles.push(counters(p, t));
  }
  return out;
}
