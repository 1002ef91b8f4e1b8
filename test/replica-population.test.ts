import { describe, expect, it } from 'vitest';
import { startReplica } from '../src/testing/replica/index.js';

describe('replica population', () => {
  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await startReplica({ users: 120, seed: 3 });
    const b = await startReplica({ users: 120, seed: 3 });
    const c = await startReplica({ users: 120, seed: 4 });
    try {
      expect(a.usernames).toEqual(b.usernames);
      expect(a.missingUsernames).toEqual(b.missingUsernames);
      expect(JSON.stringify(a.exportTruth())).toBe(JSON.stringify(b.exportTruth()));
      expect(c.usernames).not.toEqual(a.usernames);
      expect(JSON.stringify(c.exportTruth())).not.toBe(JSON.stringify(a.exportTruth()));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('has real-style names, missing names, and users only reachable through the follow graph', async () => {
    const r = await startReplica({ users: 400, seed: 1 });
    try {
      const styles = { weixin: 0, qq: 0, m0: 0, plain: 0 };
      for (const name of r.usernames) {
        expect(name).toMatch(/^[A-Za-z0-9_]+$/);
        if (/^weixin_4\d{7}$/.test(name)) styles.weixin++;
        else if (/^qq_\d{8}$/.test(name)) styles.qq++;
        else if (/^m0_\d{8}$/.test(name)) styles.m0++;
        else styles.plain++;
      }
      expect(Object.values(styles).every((n) => n > 20)).toBe(true);
      expect(new Set(r.usernames.map((n) => n.toLowerCase())).size).toBe(400);
      expect(r.missingUsernames.length).toBeGreaterThan(0);
      for (const name of r.missingUsernames) {
        expect(r.truth(name)).toBeUndefined();
        expect(r.allUsernames()).not.toContain(name);
      }
      const all = r.allUsernames();
      expect(all.length).toBeGreaterThan(r.usernames.length);
      // breadth-first over follows and fans from the initial users reaches every user
      const seen = new Set(r.usernames);
      const queue = [...r.usernames];
      while (queue.length) {
        const t = r.truth(queue.pop() as string);
        for (const next of [...(t?.follows ?? []), ...(t?.fans ?? [])]) {
          expect(r.truth(next)).toBeDefined();
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      expect(seen.size).toBe(all.length);
      // follows and fans agree
      for (const name of all.slice(0, 100)) {
        for (const f of r.truth(name)?.follows ?? []) expect(r.truth(f)?.fans).toContain(name);
        const p = r.truth(name)?.profile;
        expect(p?.fansCount).toBe(r.truth(name)?.fans.length);
        expect(p?.followCount).toBe(r.truth(name)?.follows.length);
      }
    } finally {
      await r.close();
    }
  });

  it('has heavy-tailed article counts, unique ids, exact times and hostile titles', async () => {
    const r = await startReplica({ users: 1000, seed: 1 });
    try {
      const counts = r.usernames.map((u) => r.truth(u)?.articles.length ?? 0);
      expect(counts.filter((n) => n === 0).length).toBeGreaterThan(20);
      expect(counts.filter((n) => n > 0 && n < 20).length).toBeGreaterThan(100);
      expect(counts.filter((n) => n > 0 && n % 20 === 0).length).toBeGreaterThan(20);
      expect(counts.filter((n) => n > 0 && n % 100 === 0).length).toBeGreaterThan(5);
      const thousands = counts.filter((n) => n >= 1000).length;
      expect(thousands).toBeGreaterThan(2);
      expect(thousands).toBeLessThan(40);
      expect(Math.max(...counts)).toBeLessThanOrEqual(3000);
      const ids = new Set<string>();
      const titles: string[] = [];
      let total = 0;
      let badTimes = 0;
      let badOrder = 0;
      for (const u of r.usernames) {
        const t = r.truth(u);
        const articles = t?.articles ?? [];
        total += articles.length;
        // plain checks in the loop, one expect at the end: thousands of articles
        for (const a of articles) {
          ids.add(a.articleId);
          if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(a.postTime)) badTimes++;
        }
        for (let i = 1; i < articles.length; i++)
          if (articles[i - 1].postTime <= articles[i].postTime) badOrder++;
        titles.push(...articles.slice(0, 30).map((a) => a.title));
        expect(t?.profile.articleCount).toBe(articles.length);
        expect(t?.profile.originalCount).toBe(articles.filter((a) => a.type === 'original').length);
        for (const key of [
          'nickname',
          'level',
          'rank',
          'viewCount',
          'likeCount',
          'commentCount',
          'favouriteCount',
          'points',
          'registrationTime',
          'blogUrl',
        ] as const) {
          expect(t?.profile[key], key).toBeDefined();
        }
      }
      expect(ids.size).toBe(total);
      expect(badTimes).toBe(0);
      expect(badOrder).toBe(0);
      expect(ids.has('82762601')).toBe(false);
      expect(titles.some((t) => t.includes('<script>alert(1)</script>'))).toBe(true);
      expect(titles.some((t) => t.includes('<') && t.includes('&'))).toBe(true);
      expect(titles.some((t) => t.includes('"'))).toBe(true);
      expect(titles.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true);
      expect(r.usernames.some((u) => r.truth(u)?.customDomain)).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('starts 20,000 users lazily and serves one of them', async () => {
    const r = await startReplica({ users: 20_000, seed: 9 });
    try {
      expect(r.usernames.length).toBe(20_000);
      const name = r.usernames[19_999];
      const res = await fetch(`${r.url}/community/home-api/v1/get-tab-total?username=${name}`);
      expect((await res.json()).data.blog).toBe(r.truth(name)?.articles.length);
    } finally {
      await r.close();
    }
  });
});
