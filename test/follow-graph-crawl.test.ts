import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrawlerConfig } from '../src/config/schema.js';
import type { ResultStore } from '../src/core/result-store.js';
import { createCrawler } from '../src/crawler/create-crawler.js';
import { exportResults } from '../src/export/export-results.js';
import { escapeHtml } from '../src/report/html-escape.js';
import { buildReport } from '../src/report/index.js';
import { openResultStore } from '../src/stores/open.js';
import { openPostgresResultStore, type PostgresResultStore } from '../src/stores/postgres-result-store.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const MAX_FANS = 3;
const PAYLOAD = '<script>window.__graphPwned=1</script>';
const HOSTILE = `x"'&${PAYLOAD}`;

let replica: Replica;
let work: string;
let runs = 0;

beforeAll(async () => {
  replica = await startReplica({ users: 40, seed: 23, maxArticlesPerUser: 5 });
  work = mkdtempSync(path.join(tmpdir(), 'graph-crawl-'));
});
afterAll(async () => {
  await replica.close();
  rmSync(work, { recursive: true, force: true });
});

/** Crawls the replica's initial users into `results`; returns the list requests it cost. */
async function crawl(results: string, extra: Partial<CrawlerConfig> = {}) {
  const before = replica.stats().endpoints;
  const crawler = createCrawler({
    baseUrl: replica.url,
    dataDir: path.join(work, `data-${runs++}`),
    store: 'memory',
    results,
    ids: replica.usernames,
    concurrency: 8,
    driver: 'http',
    politeness: { maxInFlightPerHost: 8, minDelayMs: 0 },
    ...extra,
  });
  const summary = await crawler.run();
  expect(summary.failed).toBe(0);
  const after = replica.stats().endpoints;
  const delta = (e: string) => (after[e] ?? 0) - (before[e] ?? 0);
  return { follows: delta('follow-list'), fans: delta('fans-list'), home: delta('home') };
}

const sorted = (names: Iterable<string>) => [...names].sort();

/** Users whose list is not empty: a list the profile counts as empty costs no request. */
const withList = (kind: 'follows' | 'fans') =>
  replica.usernames.filter((u) => replica.truth(u)![kind].length > 0).length;

/** Every stored edge of the crawled users, as "a>b" strings. */
async function edgesOf(store: ResultStore, users: string[]): Promise<string[]> {
  const all = new Set<string>();
  for (const u of users) {
    const { follows, fans } = await store.getEdges(u);
    for (const f of follows) all.add(`${u}>${f}`);
    for (const f of fans) all.add(`${f}>${u}`);
  }
  return sorted(all);
}

function expectEdgesEqualTruth(store: ResultStore) {
  return Promise.all(
    replica.usernames.map(async (u) => {
      const truth = replica.truth(u)!;
      expect(await store.getEdges(u), u).toEqual({
        follows: sorted(truth.follows),
        fans: sorted(truth.fans),
      });
    }),
  );
}

describe('the follow graph as data', () => {
  it('defaults store every follow and fan edge in SQLite, equal to the truth, and export them', async () => {
    const file = path.join(work, 'defaults.sqlite');
    const cost = await crawl(file);
    expect(cost.follows).toBeGreaterThanOrEqual(withList('follows'));
    expect(cost.fans).toBeGreaterThanOrEqual(withList('fans'));
    const store = await openResultStore(file);
    try {
      await expectEdgesEqualTruth(store);
      const edges = await edgesOf(store, replica.usernames);
      expect((await store.counts()).edges).toBe(edges.length);

      const csv = path.join(work, 'edges.csv');
      const exported = await exportResults(store, 'edges-csv', csv);
      const lines = readFileSync(csv, 'utf8')
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toBe('follower,followee,firstSeen');
      const rows = lines.slice(1).map((line) => line.split(','));
      expect(exported.edges).toBe(edges.length);
      expect(sorted(rows.map(([a, b]) => `${a}>${b}`))).toEqual(edges);
      expect(rows.every((r) => !Number.isNaN(Date.parse(r[2]!)))).toBe(true);

      const jsonl = path.join(work, 'users.jsonl');
      await exportResults(store, 'jsonl', jsonl);
      const users = readFileSync(jsonl, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      for (const user of users) {
        const truth = replica.truth(user.username)!;
        expect({ follows: user.follows, fans: user.fans }).toEqual({
          follows: sorted(truth.follows),
          fans: sorted(truth.fans),
        });
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('defaults store the same edges in PostgreSQL; a capped fans list keeps the first names', async () => {
    const schema = `csdn_graph_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const capped = `csdn_graph_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const stores: PostgresResultStore[] = [];
    try {
      await crawl(`${PG}?schema=${schema}`);
      stores.push(await openPostgresResultStore({ url: PG, schema }));
      await expectEdgesEqualTruth(stores[0]!);

      await crawl(`${PG}?schema=${capped}`, { graph: { maxFans: MAX_FANS } });
      const store = await openPostgresResultStore({ url: PG, schema: capped });
      stores.push(store);
      const crawled = new Set(replica.usernames);
      let cappedLists = 0;
      for (const u of replica.usernames) {
        const truth = replica.truth(u)!;
        // Fans read from u's own list (the first MAX_FANS in the site's order), plus the crawled
        // users whose complete follows lists name u.
        const expected = new Set(truth.fans.slice(0, MAX_FANS));
        for (const v of truth.fans) if (crawled.has(v)) expected.add(v);
        if (truth.fans.length > MAX_FANS) cappedLists++;
        expect(await store.getEdges(u), u).toEqual({
          follows: sorted(truth.follows),
          fans: sorted(expected),
        });
      }
      expect(cappedLists).toBeGreaterThan(0);
    } finally {
      for (const store of stores) {
        await store.dropSchema();
        await store.close();
      }
    }
  }, 90_000);

  it('graph off: no follows or fans request and no edge; discovery on reads them for discovery', async () => {
    const off = path.join(work, 'off.sqlite');
    const cost = await crawl(off, { graph: { follows: false, fans: false } });
    expect(cost).toMatchObject({ follows: 0, fans: 0 });
    expect(cost.home).toBeGreaterThanOrEqual(replica.usernames.length);
    const store = await openResultStore(off);
    try {
      expect((await store.counts()).edges).toBe(0);
    } finally {
      await store.close();
    }

    // Discovery needs the lists: it reads them even with the graph off (and stores what it read).
    const discovering = await crawl(path.join(work, 'off-discovery.sqlite'), {
      graph: { follows: false, fans: false },
      discovery: { enabled: true, maxDepth: 0 },
    });
    expect(discovering.follows).toBeGreaterThanOrEqual(withList('follows'));
    expect(discovering.fans).toBeGreaterThanOrEqual(withList('fans'));

    const onlyFans = path.join(work, 'fans-only.sqlite');
    const fansCost = await crawl(onlyFans, { graph: { follows: false } });
    expect(fansCost.follows).toBe(0);
    expect(fansCost.fans).toBeGreaterThanOrEqual(withList('fans'));
  }, 60_000);

  it('discovery on or off stores the same edges for the given users', async () => {
    const without = path.join(work, 'no-discovery.sqlite');
    const withDiscovery = path.join(work, 'discovery.sqlite');
    await crawl(without);
    await crawl(withDiscovery, { discovery: { enabled: true, maxDepth: 1 } });
    const a = await openResultStore(without);
    const b = await openResultStore(withDiscovery);
    try {
      // Discovery crawled more users than were given...
      expect((await b.counts()).users).toBeGreaterThan((await a.counts()).users);
      // ...and each given user's edges are the same, and equal to the truth.
      expect(await edgesOf(b, replica.usernames)).toEqual(await edgesOf(a, replica.usernames));
      await expectEdgesEqualTruth(b);
    } finally {
      await a.close();
      await b.close();
    }
  }, 90_000);

  it('the report shows the follow graph: edge figures and the most followed users in the crawl', async () => {
    const file = path.join(work, 'report.sqlite');
    await crawl(file);
    const store = await openResultStore(file);
    try {
      // A hostile name followed by every crawled user: first in the table, and escaped there.
      await store.saveUser(
        {
          username: HOSTILE,
          profile: { username: HOSTILE },
          articles: [],
          source: 'api',
          fans: replica.usernames,
          fansComplete: true,
        },
        Date.now(),
      );
      // A user never found has no lists: not counted as a crawled user without edges.
      await store.saveOutcome('ghost-user', 'notfound', undefined, Date.now());
      const outDir = path.join(work, 'report');
      await buildReport({ results: store, outDir });
      const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
      const edges = (await store.counts()).edges;
      expect(html).toContain(`data-graph="edges" data-value="${edges}"`);
      expect(html).not.toContain(PAYLOAD);
      // Every crawled user now follows the hostile one: all have edges, the ghost is not counted.
      expect(html).toContain(`data-graph="users-with-edges" data-value="${replica.usernames.length + 1}"`);
      expect(html).toContain('data-graph="users-without-edges" data-value="0"');
      const table = html.slice(html.indexOf('<table id="top-followed"'));
      const afterHostile = table.indexOf('</tr>', table.indexOf('<tbody>')) + '</tr>'.length;
      expect(table.slice(0, afterHostile)).toContain(
        `${escapeHtml(HOSTILE)}</a></td><td class="num">${replica.usernames.length}</td>`,
      );
      const crawled = new Set(replica.usernames);
      const inCrawl = replica.usernames.map((u) => ({
        u,
        n: replica.truth(u)!.fans.filter((f) => crawled.has(f)).length,
      }));
      // Every crawled user follows the hostile one too.
      const internal = inCrawl.reduce((sum, x) => sum + x.n, 0) + replica.usernames.length;
      expect(html).toContain(`data-graph="edges-in-crawl" data-value="${internal}"`);
      const most = Math.max(...inCrawl.map((x) => x.n));
      const firstRow = table.slice(afterHostile, table.indexOf('</tr>', afterHostile));
      const leaders = inCrawl.filter((x) => x.n === most).map((x) => x.u);
      expect(
        leaders.some((u) => firstRow.includes(`>${u}</a>`)),
        firstRow,
      ).toBe(true);
      expect(firstRow).toContain(`<td class="num">${most}</td>`);
    } finally {
      await store.close();
    }
  }, 60_000);
});
