import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLegacyVars } from '../src/sites/csdn/parse-legacy.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';

/** The replica's per-page faults of the legacy skin and its long users (docs/replica.md). */
describe('replica: legacy page faults and long users', () => {
  let replica: Replica;
  let plain: Replica;
  beforeAll(async () => {
    replica = await startReplica({
      users: 20,
      seed: 4,
      legacyOnly: true,
      longUsers: { count: 3, articles: [800, 1200] },
      faults: { throttle: 0.2, throttleBare: 0.5, blank: 0.15, wrongPage: 0.15 },
    });
    plain = await startReplica({ users: 20, seed: 4, legacyOnly: true });
  });
  afterAll(async () => {
    await replica?.close();
    await plain?.close();
  });

  it('gives the first users 40-60 pages and leaves every other user as it was', () => {
    for (const [i, name] of replica.usernames.entries()) {
      const n = replica.truth(name)!.articles.length;
      if (i < 3) {
        expect(n).toBeGreaterThanOrEqual(800);
        expect(n).toBeLessThanOrEqual(1200);
      } else {
        expect(replica.truth(name)).toEqual(plain.truth(name));
      }
    }
    expect(replica.usernames).toEqual(plain.usernames);
  });

  it('serves 429s with and without Retry-After, blank pages and stale pages, and counts each page', async () => {
    const user = replica.usernames[0];
    const seen = { retryAfter: 0, bare: 0, blank: 0, stale: 0, right: 0 };
    for (let n = 2; n <= 41; n++) {
      const response = await fetch(`${replica.url}/${user}/article/list/${n}`);
      const body = await response.text();
      if (response.status === 429) {
        if (response.headers.get('retry-after') === '1') seen.retryAfter++;
        else if (response.headers.get('retry-after') === null) seen.bare++;
        continue;
      }
      expect(response.status).toBe(200);
      if (body === '') {
        seen.blank++;
        continue;
      }
      const at = parseLegacyVars(body).currentPage;
      if (at === n - 1) seen.stale++;
      else if (at === n) seen.right++;
      else throw new Error(`page ${n} says currentPage ${at}`);
    }
    expect(seen.retryAfter).toBeGreaterThan(0);
    expect(seen.bare).toBeGreaterThan(0);
    expect(seen.blank).toBeGreaterThan(0);
    expect(seen.stale).toBeGreaterThan(0);
    expect(seen.right).toBeGreaterThan(0);
    const stats = replica.stats();
    expect(stats.faults.blank).toBe(seen.blank);
    expect(stats.faults.wrongPage).toBe(seen.stale);
    expect(stats.faults.throttle).toBe(seen.retryAfter + seen.bare);
    for (let n = 2; n <= 41; n++) expect(stats.legacyPages[`${user}/${n}`]).toBe(1);
    expect(stats.legacyPages[`${user}/1`]).toBeUndefined();
  });

  it('never serves a stale copy of page 1: page 1 has no page before it', async () => {
    replica.setFaults({ throttle: 0, blank: 0, wrongPage: 1 });
    const user = replica.usernames[1];
    const page1 = await (await fetch(`${replica.url}/${user}/article/list/1`)).text();
    expect(parseLegacyVars(page1).currentPage).toBe(1);
    const page3 = await (await fetch(`${replica.url}/${user}/article/list/3`)).text();
    expect(parseLegacyVars(page3).currentPage).toBe(2);
  });
});
