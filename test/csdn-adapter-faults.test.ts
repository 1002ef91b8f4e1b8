import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostLimiter } from '../src/core/host-limiter.js';
import type { UserResult } from '../src/core/model.js';
import { politeHttp } from '../src/core/polite-http.js';
import { decide } from '../src/core/retry-policy.js';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';
import { type Replica, startReplica, type UserTruth } from '../src/testing/replica/index.js';
import { makeContext } from './fixtures/csdn/make-context.js';

/**
 * The adapter under the replica's realistic faults (5xx, 429, resets, dripping bodies, hangs,
 * articles published mid-walk), through the engine's polite HTTP wrapper and retry decisions:
 * every user must come out exactly as the truth says, only the number of tries may differ.
 */
describe('csdn adapter under realistic faults', () => {
  let replica: Replica;
  let client: NodeHttpClient;

  beforeAll(async () => {
    replica = await startReplica({
      users: 60,
      seed: 21,
      faults: {
        ...{ latencyMs: 2, jitterMs: 2 },
        serverError: 0.08,
        throttle: 0.02,
        reset: 0.02,
        drip: 0.01,
        hang: 0.01,
        publishMidWalk: 0.1,
      },
    });
    client = createHttpClient({ defaultTimeoutMs: 1500 });
  });
  afterAll(async () => {
    client?.close();
    await replica?.close();
  });

  it('crawls every user completely and exactly', async () => {
    const http = politeHttp(client, new HostLimiter({ maxInFlightPerHost: 6, minDelayMs: 0 }), {
      requestTimeoutMs: 1500,
      retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50, maxThrottleWaitMs: 50 },
    });
    const adapter = createCsdnAdapter({ baseUrl: replica.url, pageSize: 20 });
    const users = replica.usernames.slice(0, 24);
    const policy = {
      maxAttempts: 6,
      baseDelayMs: 10,
      maxDelayMs: 50,
      maxThrottleWaitMs: 50,
      maxThrottles: 20,
    };
    let userRetries = 0;
    const crawl = async (username: string): Promise<UserResult> => {
      let attempt = 0;
      let throttles = 0;
      for (;;) {
        try {
          return await adapter.crawlUser(username, makeContext({ http }));
        } catch (error) {
          const decision = decide(error, attempt + 1, policy, throttles);
          if (decision.action !== 'retry') throw error;
          if (decision.costsAttempt) attempt++;
          else throttles++;
          userRetries++;
          await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
        }
      }
    };
    const results = await Promise.all(users.map(crawl));
    for (const [i, result] of results.entries()) {
      const truth = replica.truth(users[i]) as UserTruth;
      expect(result.articles, users[i]).toEqual(truth.articles);
      expect(result.profile.fansCount).toBe(truth.profile.fansCount);
      expect(result.profile.articleCount).toBe(truth.articles.length);
    }
    const faults = replica.stats().faults;
    // the faults really happened
    expect((faults.serverError ?? 0) + (faults.reset ?? 0) + (faults.throttle ?? 0)).toBeGreaterThan(0);
    console.log(
      `faults ${JSON.stringify(faults)}; user-level retries ${userRetries}; requests ${http.requestCount()}`,
    );
  });
});
