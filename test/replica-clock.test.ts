import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../src/core/model.js';
import { parseBusinessList, parseTabTotal, parseUserList } from '../src/sites/csdn/parse-api.js';
import { parseHomePage } from '../src/sites/csdn/parse-home.js';
import { parseLegacyList } from '../src/sites/csdn/parse-legacy.js';
import {
  type ManualClock,
  manualClock,
  type Replica,
  startReplica,
  type UserTruth,
} from '../src/testing/replica/index.js';

const DAY = 86_400_000;
const CLOCK_START = 1_000_000;

let clock: ManualClock;
let r: Replica;
/** Replica time `days` after the start (the clock runs at replica speed: timeScale 1). */
let day: (days: number) => number;

beforeAll(async () => {
  clock = manualClock(CLOCK_START);
  r = await startReplica({ users: 300, seed: 5, clock, timeScale: 1 });
  day = (days) => r.timeAt(CLOCK_START + days * DAY);
});
afterAll(async () => {
  await r?.close();
});

const sample = () => r.usernames.slice(0, 200);
const postMs = (a: Article) => Date.parse(`${a.postTime.replace(' ', 'T')}Z`);

async function get(path: string): Promise<string> {
  const res = await fetch(r.url + path);
  return res.text();
}

/** Every page of a JSON list at the largest size the site honours. */
async function walk<T>(read: (page: number) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page < 1000; page++) {
    const items = await read(page);
    if (!items.length) return out;
    out.push(...items);
  }
  throw new Error('endless list');
}

describe('a replica that lives', () => {
  it('moves with the clock and the time scale', async () => {
    expect(r.now()).toBe(day(0));
    clock.set(CLOCK_START + 2 * DAY);
    expect(r.now()).toBe(day(2));
    const fast = manualClock(0);
    const scaled = await startReplica({ users: 10, clock: fast, timeScale: 86_400 });
    try {
      const start = scaled.now();
      fast.advance(1000); // one real second is one replica day
      expect(scaled.now() - start).toBe(DAY);
    } finally {
      await scaled.close();
    }
    await expect(startReplica({ users: 10, timeScale: 0 })).rejects.toThrow(RangeError);
  });

  it('grows counters that never decrease, for some users and not for others', () => {
    const times = [0, 1, 3, 7, 20, 60].map(day);
    let grew = 0;
    let still = 0;
    const decreased: string[] = [];
    for (const name of sample()) {
      let previous: UserTruth | undefined;
      for (const t of times) {
        const now = r.truth(name, t);
        if (!now) break;
        if (previous) {
          expect(now.profile.viewCount).toBeGreaterThanOrEqual(previous.profile.viewCount ?? 0);
          expect(now.profile.points).toBeGreaterThanOrEqual(previous.profile.points ?? 0);
          const before = new Map(previous.articles.map((a) => [a.articleId, a]));
          for (const a of now.articles) {
            const b = before.get(a.articleId);
            if (!b) continue;
            const fields = ['viewCount', 'commentCount', 'diggCount', 'collectCount'] as const;
            // collected, then asserted once: thousands of expect() calls would dominate the run
            for (const f of fields)
              if ((a[f] ?? 0) < (b[f] ?? 0)) decreased.push(`${name} ${a.articleId} ${f}`);
            if (a.postTime !== b.postTime) decreased.push(`${name} ${a.articleId} postTime`);
          }
        }
        previous = now;
      }
      const first = r.truth(name, times[0]);
      const last = r.truth(name, times[times.length - 1]);
      if (!first || !last) continue;
      if ((last.profile.viewCount ?? 0) > (first.profile.viewCount ?? 0)) grew++;
      if (JSON.stringify(first) === JSON.stringify(last)) still++;
    }
    expect(decreased).toEqual([]);
    expect(grew).toBeGreaterThan(60);
    expect(still).toBeGreaterThan(5);
  });

  it('lists an article published at t from t on, newest first, and not before', () => {
    let seen = 0;
    for (const name of sample()) {
      const start = new Set(r.truth(name, day(0))?.articles.map((a) => a.articleId));
      const fresh = r.truth(name, day(5))?.articles.filter((a) => !start.has(a.articleId)) ?? [];
      for (const a of fresh) {
        const p = postMs(a);
        expect(p).toBeGreaterThan(day(0));
        const before = r.truth(name, p - 1000);
        const after = r.truth(name, p);
        expect(before?.articles.some((b) => b.articleId === a.articleId)).toBe(false);
        expect(after?.articles[0].articleId).toBe(a.articleId);
        expect(after?.profile.articleCount).toBe((before?.profile.articleCount ?? 0) + 1);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(20);
  });

  it('drops a deleted article for good and keeps its reads in the total', () => {
    let seen = 0;
    for (const name of sample()) {
      const late = r.truth(name, day(90));
      if (!late) continue;
      const now = new Set(late.articles.map((a) => a.articleId));
      const gone = r.truth(name, day(0))?.articles.filter((a) => !now.has(a.articleId)) ?? [];
      for (const a of gone) {
        // the moment it went, to the second
        let lo = day(0);
        let hi = day(90);
        const listed = (t: number) => r.truth(name, t)?.articles.some((b) => b.articleId === a.articleId);
        while (hi - lo > 1000) {
          const mid = Math.floor((lo + hi) / 2);
          if (listed(mid)) lo = mid;
          else hi = mid;
        }
        for (const t of [hi, hi + DAY, day(120)]) expect(listed(t)).toBe(false);
        const [b, c] = [r.truth(name, lo), r.truth(name, hi)];
        expect(c?.profile.articleCount).toBe((b?.profile.articleCount ?? 0) - 1);
        expect(c?.profile.viewCount).toBeGreaterThanOrEqual(b?.profile.viewCount ?? 0);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(5);
  });

  it('lets fans come and go, follows and fans agreeing at every moment', () => {
    let joined = 0;
    let left = 0;
    for (const name of sample()) {
      const a = r.truth(name, day(0));
      const b = r.truth(name, day(120));
      if (!a || !b) continue;
      joined += b.fans.filter((f) => !a.fans.includes(f)).length;
      left += a.fans.filter((f) => !b.fans.includes(f)).length;
    }
    expect(joined).toBeGreaterThan(10);
    expect(left).toBeGreaterThan(10);
    for (const t of [day(0), day(45), day(200)]) {
      for (const name of r.allUsernames().slice(0, 150)) {
        const truth = r.truth(name, t);
        if (!truth) continue;
        expect(truth.profile.fansCount).toBe(truth.fans.length);
        expect(truth.profile.followCount).toBe(truth.follows.length);
        for (const f of truth.follows) expect(r.truth(f, t)?.fans).toContain(name);
        for (const f of truth.fans) expect(r.truth(f, t)?.follows).toContain(name);
      }
    }
  });

  it('answers a vanished user as not found, and drops them from every list', async () => {
    const gone = r.usernames.filter((u) => r.truth(u, day(0)) && !r.truth(u, day(70)));
    expect(gone.length).toBeGreaterThan(2);
    const name = gone[0];
    const followed = r.truth(name, day(0))?.follows ?? [];
    clock.set(CLOCK_START + 70 * DAY);
    expect(await get(`/${name}`)).toContain('"pid":"404"');
    const list = JSON.parse(
      await get(`/community/home-api/v1/get-business-list?page=1&size=20&username=${name}`),
    );
    expect(list).toMatchObject({ code: 400, data: null });
    for (const f of followed) expect(r.truth(f, day(70))?.fans ?? []).not.toContain(name);
    expect(r.exportTruth(day(70))[name]).toBeUndefined();
  });

  it('serves at t exactly truth(user, t): home page, article lists, tab total, fans and follows', async () => {
    const names = r.usernames.filter((u) => (r.truth(u, day(0))?.articles.length ?? 0) > 0).slice(0, 6);
    const start = r.allUsernames().map((u) => ({ u, truth: r.truth(u, day(0)) }));
    const most = (count: (t: UserTruth | undefined) => number) =>
      start.reduce((best, x) => (count(x.truth) > count(best.truth) ? x : best)).u;
    names.push(
      most((t) => t?.articles.length ?? 0),
      most((t) => t?.fans.length ?? 0),
    );
    for (const days of [0, 2, 9, 33]) {
      clock.set(CLOCK_START + days * DAY);
      const t = r.now();
      for (const name of names) {
        const truth = r.truth(name, t);
        if (!truth) continue;
        const home = parseHomePage(await get(`/${name}`), name);
        const { articleCount: _a, points: _p, ...shown } = truth.profile;
        expect(home.profile).toEqual(shown);
        const q = `username=${name}`;
        const articles = await walk(
          async (page) =>
            parseBusinessList(
              await get(`/community/home-api/v1/get-business-list?page=${page}&size=100&${q}`),
            ).articles,
        );
        expect(articles).toEqual(truth.articles);
        const legacy = parseLegacyList(await get(`/${name}/article/list/1`), name);
        const brief = (list: Article[]) =>
          list.map((a) => [a.articleId, a.postTime, a.viewCount, a.commentCount]);
        expect(brief(legacy.articles)).toEqual(brief(truth.articles.slice(0, 20)));
        expect(legacy.vars.listTotal).toBe(truth.profile.articleCount);
        const tab = parseTabTotal(await get(`/community/home-api/v1/get-tab-total?${q}`));
        expect(tab.blog).toBe(truth.profile.articleCount);
        for (const [endpoint, key] of [
          ['get-fans-list', 'fans'],
          ['get-follow-list', 'follows'],
        ] as const) {
          const got = await walk(
            async (page) =>
              parseUserList(
                await get(`/community/home-api/v1/${endpoint}?page=${page}&size=20&blogUsername=${name}`),
                endpoint,
              ).usernames,
          );
          expect(got).toEqual(truth[key]);
        }
      }
      expect(r.now()).toBe(t); // nothing moved while the walks ran: the comparison was at one moment
    }
  });

  it('is the same world for the same seed, whatever the order of questions', async () => {
    const [a, b] = [manualClock(0), manualClock(0)];
    const x = await startReplica({ users: 120, seed: 9, clock: a });
    const y = await startReplica({ users: 120, seed: 9, clock: b });
    try {
      const at = (rep: Replica, days: number) => rep.timeAt(days * DAY);
      const late = JSON.stringify(x.exportTruth(at(x, 40)));
      const early = JSON.stringify(x.exportTruth(at(x, 5)));
      // the other replica is asked in the other order, and after its clock moved
      b.advance(400 * DAY);
      expect(JSON.stringify(y.exportTruth(at(y, 5)))).toBe(early);
      expect(JSON.stringify(y.exportTruth(at(y, 40)))).toBe(late);
      expect(late).not.toBe(early);
    } finally {
      await Promise.all([x.close(), y.close()]);
    }
  });

  it('stays frozen without a clock: the default world is the living one at its start', async () => {
    const frozen = await startReplica({ users: 150, seed: 5 });
    const start = manualClock(0);
    const living = await startReplica({ users: 150, seed: 5, clock: start });
    try {
      const truth = JSON.stringify(frozen.exportTruth());
      expect(JSON.stringify(living.exportTruth())).toBe(truth);
      expect(JSON.stringify(frozen.exportTruth(frozen.now() + 50 * DAY))).toBe(truth);
      expect(frozen.now()).toBe(living.now());
      // byte for byte over HTTP too (the same request order draws the same trace ids)
      const user = frozen.usernames.find((u) => (frozen.truth(u)?.articles.length ?? 0) > 30) ?? '';
      const paths = [
        `/${user}`,
        `/${user}/article/list/2`,
        `/community/home-api/v1/get-business-list?page=2&size=20&username=${user}`,
        `/community/home-api/v1/get-fans-list?page=1&size=20&blogUsername=${frozen.usernames[0]}`,
      ];
      for (const path of paths) {
        const [f, l] = await Promise.all([fetch(frozen.url + path), fetch(living.url + path)]);
        expect((await l.text()).replaceAll(living.url, '')).toBe((await f.text()).replaceAll(frozen.url, ''));
      }
    } finally {
      await Promise.all([frozen.close(), living.close()]);
    }
  });
});
