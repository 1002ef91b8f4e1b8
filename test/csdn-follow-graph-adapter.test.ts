import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';

const GRAPH_ON = { follows: true, fans: true, maxFollows: 1000, maxFans: 1000 };

describe('csdn adapter: the follow graph from context.graph', () => {
  let replica: Replica;
  let http: NodeHttpClient;

  beforeAll(async () => {
    replica = await startReplica({ users: 60, seed: 31, maxArticlesPerUser: 3 });
    http = createHttpClient({ defaultTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    await http.close();
    await replica.close();
  });

  const listRequests = () => {
    const e = replica.stats().endpoints;
    return (e['follow-list'] ?? 0) + (e['fans-list'] ?? 0);
  };
  const byFans = () =>
    [...replica.usernames].sort((a, b) => replica.truth(b)!.fans.length - replica.truth(a)!.fans.length);

  it('reads both lists completely and says so', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const user = byFans()[0]!;
    const truth = replica.truth(user)!;
    const result = await adapter.crawlUser(user, makeContext({ http, graph: GRAPH_ON }));
    expect([...result.follows!].sort()).toEqual([...truth.follows].sort());
    expect([...result.fans!].sort()).toEqual([...truth.fans].sort());
    expect(result).toMatchObject({ followsComplete: true, fansComplete: true });
  });

  it('a list cut at its cap is marked incomplete; the other list stays complete', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const user = byFans()[0]!;
    const truth = replica.truth(user)!;
    expect(truth.fans.length).toBeGreaterThan(3);
    const result = await adapter.crawlUser(user, makeContext({ http, graph: { ...GRAPH_ON, maxFans: 3 } }));
    expect(result.fans).toEqual(truth.fans.slice(0, 3));
    expect(result).toMatchObject({ fansComplete: false, followsComplete: true });
  });

  it('the graph off reads no list; discovery alone reads them up to maxPerUser', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const user = byFans()[0]!;
    const before = listRequests();
    const off = await adapter.crawlUser(user, makeContext({ http }));
    expect(listRequests()).toBe(before);
    expect(off.follows).toBeUndefined();
    expect(off.fans).toBeUndefined();
    const discovering = await adapter.crawlUser(
      user,
      makeContext({ http, discovery: { enabled: true, maxPerUser: 2 } }),
    );
    expect(discovering.fans).toHaveLength(2);
    expect(discovering.fansComplete).toBe(false);
  });

  it('a list the profile counts as empty costs no request and is complete', async () => {
    const adapter = createCsdnAdapter({ baseUrl: replica.url });
    const user = replica.usernames.find((u) => replica.truth(u)!.follows.length === 0)!;
    expect(user).toBeDefined();
    const before = replica.stats().endpoints['follow-list'] ?? 0;
    const result = await adapter.crawlUser(user, makeContext({ http, graph: GRAPH_ON }));
    expect(replica.stats().endpoints['follow-list'] ?? 0).toBe(before);
    expect(result).toMatchObject({ follows: [], followsComplete: true });
  });
});
