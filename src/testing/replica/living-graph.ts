import { DAY, type Traits } from './living-articles.js';
import { EPOCH, type Population } from './population.js';
import { hash32, rngFor } from './prng.js';

// Fans come and go: every follow has a time it starts and a time it ends, drawn once from the
// seed. The initial graph's follows start before the replica does; new ones start within a year.

interface Edge {
  other: number;
  join: number;
  leave: number;
}

const NEVER = Number.POSITIVE_INFINITY;
const YEAR = 365 * DAY;

export class LivingGraph {
  /** Per user: the initial follows in the frozen order, then the new ones, newest first. */
  private readonly follows: Edge[][];
  private readonly fans: Edge[][];

  constructor(
    pop: Population,
    private readonly traits: Traits[],
  ) {
    const total = pop.size;
    const seed = pop.seed;
    this.follows = Array.from({ length: total }, () => []);
    this.fans = Array.from({ length: total }, () => []);
    const lively = (i: number) => i < total && traits[i].activity > 0;
    const latent: [number, Edge][] = [];
    for (let u = 0; u < total; u++) {
      const initial = pop.edges(u).follows;
      for (const v of initial) {
        // only follows between two lively users ever change; about one in ten ends within a year
        const roll = hash32(seed, 'unfollow', u, v) / 2 ** 32;
        const leave =
          lively(u) && lively(v) && roll < 0.1 ? EPOCH + 1000 + Math.floor(roll * 10 * YEAR) : NEVER;
        this.follows[u].push({ other: v, join: Number.NEGATIVE_INFINITY, leave });
      }
      if (!lively(u)) continue;
      const rng = rngFor(seed, 'new-follows', u);
      const count = rng.chance(0.5) ? 0 : rng.pareto(1, 1.3, 20);
      const mine = new Set(initial);
      for (let i = 0; i < count; i++) {
        const v = Math.floor(total * rng.next() ** 2);
        const join = EPOCH + 1000 + Math.floor(rng.next() * YEAR);
        const leave = rng.chance(0.3) ? join + Math.floor((5 + 85 * rng.next()) * DAY) : NEVER;
        if (v === u || !lively(v) || mine.has(v)) continue;
        mine.add(v);
        latent.push([u, { other: v, join, leave }]);
      }
    }
    // fans in the frozen order (by follower index), as the initial graph lists them
    for (let u = 0; u < total; u++) {
      for (const e of this.follows[u]) this.fans[e.other].push({ other: u, join: e.join, leave: e.leave });
    }
    latent.sort((a, b) => b[1].join - a[1].join);
    for (const [u, e] of latent) {
      this.follows[u].push(e);
      this.fans[e.other].push({ other: u, join: e.join, leave: e.leave });
    }
  }

  followsAt(index: number, t: number): number[] {
    return this.alive(this.follows[index], t);
  }

  fansAt(index: number, t: number): number[] {
    return this.alive(this.fans[index], t);
  }

  /** Newest follows first (as the site lists them), then the initial ones; vanished users leave. */
  private alive(edges: Edge[] | undefined, t: number): number[] {
    if (!edges) return [];
    const fresh: number[] = [];
    const initial: number[] = [];
    for (const e of edges) {
      if (e.join > t || t >= e.leave || t >= this.traits[e.other].vanishAt) continue;
      (e.join === Number.NEGATIVE_INFINITY ? initial : fresh).push(e.other);
    }
    return fresh.length ? [...fresh, ...initial] : initial;
  }
}
