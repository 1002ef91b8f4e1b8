/** Fault presets and the per-endpoint bot wall. */

export type FaultPreset = 'none' | 'realistic' | 'hostile' | 'challenge';

export interface WallConfig {
  burst: number;
  windowMs: number;
  cooldownMs: number;
  /** What one counter covers: one endpoint of one client (the default, as CSDN's) or all of a client's requests. */
  per?: 'endpoint' | 'client';
  /** The wall's answer: 403 (default) or 444. */
  status?: 403 | 444;
}

export interface FaultConfig {
  latencyMs: number;
  jitterMs: number;
  /** 5xx (500/502/503) per request. */
  serverError: number;
  /** 429 with `Retry-After: 1` (or without it, see throttleBare). */
  throttle: number;
  /** Share of the 429s answered without Retry-After (0 = all carry it). */
  throttleBare: number;
  /**
   * A request that arrives inside a Retry-After window announced to its client (after the grace
   * of retry-after-watch.ts) is refused with another 429, as a rate limiter does; false: the
   * window is only counted (`retryAfterViolations`).
   */
  enforceRetryAfter: boolean;
  /** No response at all; the socket stays open until the client gives up or close(). */
  hang: number;
  /** Body sent in small chunks over 1-3 s. */
  drip: number;
  /** Connection destroyed after part of the body. */
  reset: number;
  /** 200 with an empty body (a blank page). */
  blank: number;
  /** Per legacy list page > 1: the previous page is served instead (a stale cache; `currentPage` is wrong). */
  wrongPage: number;
  /** Per article-list request with page > 1: the user publishes a new article first. */
  publishMidWalk: number;
  /** 521 JS challenge on every page and endpoint until a valid `acw_sc__v2` cookie is shown. */
  challenge: boolean;
  /** A passed cookie works for this many requests, then must be earned again (0 = forever). */
  challengeCookieUses: number;
  /**
   * 403 after more than `burst` requests within `windowMs` from one client to one endpoint
   * (`per: 'client'`: to the whole site), for `cooldownMs`; `status: 444` answers as nginx's
   * "go away" instead.
   */
  wall: WallConfig | null;
}

const NONE: FaultConfig = {
  latencyMs: 0,
  jitterMs: 0,
  serverError: 0,
  throttle: 0,
  throttleBare: 0,
  enforceRetryAfter: false,
  hang: 0,
  drip: 0,
  reset: 0,
  blank: 0,
  wrongPage: 0,
  publishMidWalk: 0,
  challenge: false,
  challengeCookieUses: 0,
  wall: null,
};

export const FAULT_PRESETS: Record<FaultPreset, FaultConfig> = {
  none: NONE,
  realistic: {
    latencyMs: 20,
    jitterMs: 10,
    serverError: 0.01,
    throttle: 0.005,
    throttleBare: 0,
    enforceRetryAfter: true,
    hang: 0.002,
    drip: 0.005,
    reset: 0.003,
    blank: 0,
    wrongPage: 0,
    publishMidWalk: 0.02,
    challenge: false,
    challengeCookieUses: 0,
    wall: { burst: 200, windowMs: 1000, cooldownMs: 2000 },
  },
  hostile: {
    latencyMs: 30,
    jitterMs: 20,
    serverError: 0.05,
    throttle: 0.03,
    throttleBare: 0,
    enforceRetryAfter: true,
    hang: 0.01,
    drip: 0.02,
    reset: 0.02,
    blank: 0,
    wrongPage: 0,
    publishMidWalk: 0.05,
    challenge: true,
    challengeCookieUses: 50,
    wall: { burst: 30, windowMs: 1000, cooldownMs: 3000 },
  },
  challenge: { ...NONE, challenge: true, challengeCookieUses: 200 },
};

/** A preset name replaces everything; a partial config is laid over `base`. */
export function resolveFaults(
  faults: FaultPreset | Partial<FaultConfig> | undefined,
  base: FaultConfig = NONE,
): FaultConfig {
  if (faults === undefined) return { ...base };
  if (typeof faults === 'string') {
    const preset = FAULT_PRESETS[faults];
    if (!preset) throw new TypeError(`unknown fault preset ${JSON.stringify(faults)}`);
    return { ...preset, wall: preset.wall ? { ...preset.wall } : null };
  }
  const out: FaultConfig = { ...base, ...faults };
  for (const key of [
    'serverError',
    'throttle',
    'throttleBare',
    'hang',
    'drip',
    'reset',
    'blank',
    'wrongPage',
    'publishMidWalk',
  ] as const) {
    const rate = out[key];
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`fault rate ${key} must be in [0,1], got ${rate}`);
  }
  return out;
}

/** Sliding-window counter per client and endpoint; a client over the burst is walled for cooldownMs. */
export class BotWall {
  private readonly clients = new Map<string, { hits: number[]; blockedUntil: number }>();

  /** Clients that went over the burst (each block counts once, however many requests it turns away). */
  trips = 0;

  /** True when this request must be answered with the wall. */
  hit(key: string, now: number, wall: WallConfig): boolean {
    let entry = this.clients.get(key);
    if (!entry) {
      entry = { hits: [], blockedUntil: 0 };
      this.clients.set(key, entry);
    }
    if (now < entry.blockedUntil) return true;
    const from = now - wall.windowMs;
    let drop = 0;
    while (drop < entry.hits.length && entry.hits[drop] <= from) drop++;
    if (drop > 0) entry.hits.splice(0, drop);
    entry.hits.push(now);
    if (entry.hits.length > wall.burst) {
      entry.blockedUntil = now + wall.cooldownMs;
      entry.hits = [];
      this.trips++;
      return true;
    }
    return false;
  }

  clear(): void {
    this.clients.clear();
  }
}
