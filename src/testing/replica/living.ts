import type { Profile } from '../../core/model.js';
import {
  DAY,
  type LiveArticles,
  liveArticles,
  planUser,
  type Traits,
  traitsFor,
  type UserPlan,
} from './living-articles.js';
import { LivingGraph } from './living-graph.js';
import {
  EPOCH,
  type Population,
  type ReplicaArticle,
  type UserRecord,
  type UserTruth,
} from './population.js';
import { type SiteView, userTruth } from './site-view.js';

/**
 * The replica's world over time. The population keeps what never changes (names, the initial
 * articles, the initial graph); the plans add what time does to them. A view shows one moment.
 */
export class LivingWorld {
  private readonly traits: Traits[];
  private readonly plans = new Map<number, UserPlan>();
  private graphCache?: LivingGraph;

  constructor(readonly pop: Population) {
    const names = pop.all();
    const all = [...names, ...pop.adversarial];
    this.traits = all.map((name, i) => traitsFor(pop.seed, name, i >= names.length));
  }

  /** Built on first use: a replica whose lists nobody asks for never pays for it. */
  get graph(): LivingGraph {
    this.graphCache ??= new LivingGraph(this.pop, this.traits);
    return this.graphCache;
  }

  traitsOf(user: UserRecord): Traits {
    return this.traits[user.index];
  }

  plan(user: UserRecord): UserPlan {
    let plan = this.plans.get(user.index);
    if (!plan) {
      plan = planUser(this.pop.seed, user, this.traits[user.index]);
      this.plans.set(user.index, plan);
    }
    return plan;
  }

  /** The site at replica time `t` (clamped to the start: the world before it is unknown). */
  at(t: number): SiteView {
    return new LivingView(this, Math.max(EPOCH, t));
  }
}

class LivingView implements SiteView {
  private readonly memo = new Map<number, LiveArticles>();

  constructor(
    private readonly world: LivingWorld,
    readonly nowMs: number,
  ) {}

  private live(user: UserRecord): LiveArticles {
    let live = this.memo.get(user.index);
    if (!live) {
      live = liveArticles(this.world.pop, user, this.world.plan(user), this.nowMs);
      this.memo.set(user.index, live);
    }
    return live;
  }

  user(username: string): UserRecord | undefined {
    const user = this.world.pop.user(username);
    if (!user || this.nowMs >= this.world.traitsOf(user).vanishAt) return undefined;
    return user;
  }

  articleCount(user: UserRecord): number {
    return this.live(user).articles.length;
  }

  slice(user: UserRecord, start: number, count: number): ReplicaArticle[] {
    const list = this.live(user).articles;
    const out: ReplicaArticle[] = [];
    const n = list.length;
    for (let i = start; i < start + count && i < n; i++) out.push(list[n - 1 - i]);
    return out;
  }

  profile(user: UserRecord): Profile {
    const live = this.live(user);
    const traits = this.world.traitsOf(user);
    let reads = live.deletedViews;
    let likes = 0;
    let comments = 0;
    let favourites = 0;
    let originals = 0;
    for (const a of live.articles) {
      reads += a.viewCount;
      likes += a.diggCount;
      comments += a.commentCount;
      favourites += a.collectCount;
      if (a.type === 'original') originals++;
    }
    const days = (this.nowMs - EPOCH) / DAY;
    // visits to the blog itself grow with its liveliness and its audience
    const visits = user.extraViews + Math.floor(days * traits.activity * (3 + user.extraViews / 2000));
    const views = reads + visits;
    const start = user.viewSum + user.extraViews;
    return {
      ...this.world.pop.profile(user),
      level: Math.min(8, 1 + Math.floor(Math.log10(1 + views))),
      originalCount: originals,
      articleCount: live.articles.length,
      // more reads, better rank: the start's rank scaled by how much the reads grew
      rank: views === start ? user.rank : Math.max(1, Math.floor((user.rank * start) / views)),
      fansCount: this.fansOf(user).length,
      followCount: this.followsOf(user).length,
      viewCount: views,
      likeCount: likes,
      commentCount: comments,
      favouriteCount: favourites,
      points: user.points + Math.floor(days * traits.activity * 3) + 10 * live.published,
    };
  }

  blogUrl(user: UserRecord): string {
    return this.world.pop.blogUrl(user);
  }

  nickname(username: string): string {
    return this.world.pop.nickname(username);
  }

  followsOf(user: UserRecord): string[] {
    return this.world.graph.followsAt(user.index, this.nowMs).map((i) => this.world.pop.nameAt(i));
  }

  fansOf(user: UserRecord): string[] {
    return this.world.graph.fansAt(user.index, this.nowMs).map((i) => this.world.pop.nameAt(i));
  }

  truth(username: string): UserTruth | undefined {
    const user = this.user(username);
    return user && userTruth(this, user);
  }
}
