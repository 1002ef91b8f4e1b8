import http from 'node:http';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBusinessList } from '../src/sites/csdn/parse-api.js';
import {
  FAULT_PRESETS,
  type Replica,
  resolveFaults,
  solveChallenge,
  startReplica,
} from '../src/testing/replica/index.js';

type Outcome = number | 'reset' | 'hang';

const agent = new http.Agent({ keepAlive: true });

/** One GET over node:http: the status, 'reset' when the connection broke, 'hang' on timeout. */
function request(url: string, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve('reset'));
      res.on('close', () => {
        if (!res.complete) resolve('reset');
      });
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve('hang');
    });
    req.on('error', () => resolve('reset'));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The urls, `width` at a time, in a fixed order. A request without an answer after 300 ms frees
 * its slot but stays open; whatever is still unanswered 3 s after the last one started is a hang.
 */
async function burst(urls: string[], width: number): Promise<Outcome[]> {
  const out: (Outcome | undefined)[] = new Array(urls.length);
  const all: Promise<void>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < urls.length) {
        const i = next++;
        const done = request(urls[i]).then((o) => {
          out[i] = o;
        });
        all.push(done);
        await Promise.race([done, sleep(300)]);
      }
    }),
  );
  await Promise.race([Promise.all(all), sleep(3000)]);
  return Array.from(out, (o) => o ?? 'hang');
}

function apiUrls(r: Replica, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const user = r.usernames[i % r.usernames.length];
    return `${r.url}/community/home-api/v1/get-tab-total?username=${user}`;
  });
}

const rate = (outcomes: Outcome[], test: (o: Outcome) => boolean) =>
  outcomes.filter(test).length / outcomes.length;

describe('replica faults', () => {
  afterAll(() => agent.destroy());

  it('serves everything cleanly with no faults and counts per endpoint', async () => {
    const r = await startReplica({ users: 50 });
    try {
      const out = await Promise.all(apiUrls(r, 200).map((url) => request(url)));
      expect(out.every((o) => o === 200)).toBe(true);
      await request(`${r.url}/${r.usernames[0]}`);
      const stats = r.stats();
      expect(stats.endpoints['tab-total']).toBe(200);
      expect(stats.endpoints.home).toBe(1);
      expect(stats.total).toBe(201);
      expect(stats.faults).toEqual({});
    } finally {
      await r.close();
    }
  });

  it('produces 5xx, 429, resets and hangs each at roughly its rate', async () => {
    const r = await startReplica({
      users: 50,
      faults: { serverError: 0.1, throttle: 0.1, reset: 0.1, hang: 0.1 },
    });
    try {
      const out = await burst(apiUrls(r, 1000), 50);
      const between = (x: number) => {
        expect(x).toBeGreaterThan(0.05);
        expect(x).toBeLessThan(0.15);
      };
      between(rate(out, (o) => typeof o === 'number' && o >= 500));
      between(rate(out, (o) => o === 429));
      between(rate(out, (o) => o === 'reset'));
      between(rate(out, (o) => o === 'hang'));
      between(rate(out, (o) => o === 200) - 0.5); // 60 % clean
      const f = r.stats().faults;
      expect(f.serverError + f.throttle + f.reset + f.hang).toBe(out.filter((o) => o !== 200).length);
      const res = await (async () => {
        for (;;) {
          const got = await fetch(apiUrls(r, 1)[0], { signal: AbortSignal.timeout(500) }).catch(
            () => undefined,
          );
          if (got?.status === 429) return got;
        }
      })();
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.text()).toMatch(/^\{/);
    } finally {
      await r.close();
    }
  });

  it('drips bodies slowly but completely', async () => {
    const r = await startReplica({ users: 20, faults: { drip: 1 } });
    try {
      const user = r.usernames.find((u) => (r.truth(u)?.articles.length ?? 0) > 20) as string;
      const res = await fetch(
        `${r.url}/community/home-api/v1/get-business-list?page=1&size=20&username=${user}`,
      );
      const page = parseBusinessList(await res.text());
      expect(page.articles).toEqual(r.truth(user)?.articles.slice(0, 20));
      expect(r.stats().faults.drip).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('makes the same fault decisions for the same seed and request order', async () => {
    const config = { serverError: 0.2, throttle: 0.2 };
    const seq = async () => {
      const r = await startReplica({ users: 30, seed: 5, faults: config });
      const out: Outcome[] = [];
      for (const url of apiUrls(r, 100)) out.push(await request(url));
      await r.close();
      return out;
    };
    const a = await seq();
    expect(await seq()).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('publishes a new article mid-walk, shifting later pages by one', async () => {
    const r = await startReplica({ users: 100, faults: { publishMidWalk: 1 } });
    try {
      const user = r.usernames.find((u) => (r.truth(u)?.articles.length ?? 0) > 50) as string;
      const before = r.truth(user)?.articles ?? [];
      const list = (page: number) =>
        fetch(`${r.url}/community/home-api/v1/get-business-list?page=${page}&size=20&username=${user}`).then(
          async (res) => parseBusinessList(await res.text()),
        );
      const p1 = await list(1);
      expect(r.truth(user)?.articles.length).toBe(before.length);
      const p2 = await list(2);
      const after = r.truth(user)?.articles ?? [];
      expect(after.length).toBe(before.length + 1);
      expect(after.slice(1)).toEqual(before);
      expect(after[0].postTime > before[0].postTime).toBe(true);
      expect(p2.articles[0]).toEqual(p1.articles[19]);
      expect(r.truth(user)?.profile.articleCount).toBe(after.length);
      expect(r.stats().faults.publishMidWalk).toBe(1);
    } finally {
      await r.close();
    }
  });

  it('walls a client after a burst on one endpoint, not on others', async () => {
    const r = await startReplica({
      users: 30,
      faults: { wall: { burst: 20, windowMs: 60_000, cooldownMs: 60_000 } },
    });
    try {
      const out: Outcome[] = [];
      for (const url of apiUrls(r, 30)) out.push(await request(url));
      expect(out.slice(0, 20).every((o) => o === 200)).toBe(true);
      expect(out.slice(20).every((o) => o === 403)).toBe(true);
      expect(await request(`${r.url}/${r.usernames[0]}`)).toBe(200);
      r.setFaults({ wall: { burst: 20, windowMs: 50, cooldownMs: 1 } });
      expect(await request(apiUrls(r, 1)[0])).toBe(200);
      expect(r.stats().faults.wall).toBe(10);
    } finally {
      await r.close();
    }
  });

  it('walls every page and endpoint behind the 521 challenge until its script has run', async () => {
    const r = await startReplica({ users: 30, faults: 'challenge' });
    r.setFaults({ challengeCookieUses: 3 });
    try {
      const api = apiUrls(r, 1)[0];
      const first = await fetch(api);
      expect(first.status).toBe(521);
      const body = await first.text();
      expect(body.startsWith('{')).toBe(false);
      expect(body).toContain('请进行安全验证');
      expect((await fetch(`${r.url}/${r.usernames[0]}`)).status).toBe(521);
      expect(
        (await fetch(api, { headers: { cookie: 'acw_sc__v2=0123456789abcdef0123456789abcdef01234567' } }))
          .status,
      ).toBe(521);
      // run the page's own script, as a browser would, with just enough of a document
      const script = /<script>([\s\S]*?)<\/script>/.exec(body)?.[1] ?? '';
      const doc = { cookie: '' };
      let reloaded = false;
      runInNewContext(script, {
        document: doc,
        location: { reload: () => (reloaded = true) },
        setTimeout: (fn: () => void) => fn(),
      });
      expect(reloaded).toBe(true);
      const cookie = doc.cookie.split(';')[0];
      expect(cookie).toMatch(/^acw_sc__v2=[0-9a-f]{40}$/);
      const arg1 = /arg1='([0-9A-F]{40})'/.exec(body)?.[1] ?? '';
      expect(cookie).toBe(`acw_sc__v2=${solveChallenge(arg1)}`);
      const passes: number[] = [];
      for (let i = 0; i < 4; i++) passes.push((await fetch(api, { headers: { cookie } })).status);
      expect(passes).toEqual([200, 200, 200, 521]);
      expect(r.stats().faults.challenge).toBe(4);
    } finally {
      await r.close();
    }
  });

  it('goes down (connections refused) and comes back on the same port', async () => {
    const r = await startReplica({ users: 10 });
    try {
      const url = apiUrls(r, 1)[0];
      expect(await request(url)).toBe(200);
      await r.setDown(true);
      const err = await fetch(url).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect(String((err as Error & { cause?: { code?: string } }).cause?.code)).toBe('ECONNREFUSED');
      await r.setDown(false);
      agent.destroy(); // pooled sockets died with the outage
      expect(await request(url)).toBe(200);
    } finally {
      await r.close();
    }
  });

  it('closes hung connections on close()', async () => {
    const r = await startReplica({ users: 10, faults: { hang: 1 } });
    const pending = fetch(apiUrls(r, 1)[0]).then(
      (res) => res.status,
      () => 'closed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r.stats().faults.hang).toBe(1);
    await r.close();
    expect(await pending).toBe('closed');
  });

  it('has the documented presets and merges partial settings', () => {
    expect(FAULT_PRESETS.none.challenge).toBe(false);
    expect(FAULT_PRESETS.realistic).toMatchObject({
      latencyMs: 20,
      jitterMs: 10,
      challenge: false,
      wall: { burst: 200, windowMs: 1000, cooldownMs: 2000 },
    });
    expect(FAULT_PRESETS.hostile.challenge).toBe(true);
    expect(FAULT_PRESETS.hostile.serverError).toBeGreaterThan(FAULT_PRESETS.realistic.serverError);
    expect(FAULT_PRESETS.challenge).toMatchObject({ challenge: true, serverError: 0, wall: null });
    expect(resolveFaults({ throttle: 0.5 }, FAULT_PRESETS.realistic)).toMatchObject({
      throttle: 0.5,
      serverError: 0.01,
    });
    expect(() => resolveFaults({ hang: 2 })).toThrow(RangeError);
  });
});
