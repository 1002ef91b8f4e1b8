import { describe, expect, it } from 'vitest';
import type { CrawlContexts } from '../src/core/engine/crawl-context.js';
import type { Outcomes } from '../src/core/engine/outcomes.js';
import { createUserAttempts, type Slot, type UserAttemptDeps } from '../src/core/engine/user-attempt.js';
import { NetworkError, NotFoundError, StoreError } from '../src/core/errors.js';
import type { CrawlerEvents } from '../src/core/events.js';
import { silentLogger } from '../src/core/logger.js';
import type { UserResult } from '../src/core/model.js';
import type { StoredUser } from '../src/core/result-store.js';
import type { CrawlContext, SiteAdapter } from '../src/core/site-adapter.js';
import type { Lease } from '../src/core/state-store.js';

const lease: Lease = { id: 'u1', owner: 'w1', expiresAt: 0, attempts: 0, enqueuedAt: 1000, depth: 0 };

function result(id: string): UserResult {
  return {
    username: id,
    profile: { username: id },
    articles: [],
    source: 'api',
    follows: ['f1'],
  } as UserResult;
}

/** Everything the attempt talks to, as recording fakes; `crawl` scripts the adapter. */
function setup(crawl: (call: number) => Promise<UserResult>, more: Partial<UserAttemptDeps> = {}) {
  const log: string[] = [];
  const events: { name: keyof CrawlerEvents; event: unknown }[] = [];
  let calls = 0;
  let pagesClosed = 0;
  let stored: StoredUser | undefined;
  const site = {
    name: 'fake',
    normalizeId: (id: string) => id,
    crawlUser: () => crawl(++calls),
  } as unknown as SiteAdapter;
  const outcomes: Outcomes = {
    async complete(id, outcome, reason) {
      log.push(`complete ${id} ${outcome}${reason ? ` (${reason})` : ''}`);
    },
    async release(id, _code, reason, pause) {
      log.push(`release ${id} ${reason}${pause ? ' +pause' : ''}`);
    },
    async retryLater(id, set, dueAt) {
      log.push(`retryLater ${id} ${set} ${dueAt}`);
    },
    async addDiscovered(from, depth, follows) {
      log.push(`discover ${from} ${depth} ${follows?.join(',')}`);
    },
  };
  const contexts: CrawlContexts = {
    open: () => ({
      context: {} as CrawlContext,
      pages: {
        leased: [],
        close: async () => {
          pagesClosed++;
        },
      },
    }),
  };
  const attempts = createUserAttempts({
    site,
    results: {
      getUser: async () => stored,
      getEdges: async () => ({ follows: ['e1'], fans: [] }),
      saveUser: async (r) => {
        log.push(`saveUser ${r.username}`);
      },
      saveOutcome: async (id, outcome) => {
        log.push(`saveOutcome ${id} ${outcome}`);
      },
    } as UserAttemptDeps['results'],
    store: (work) => work,
    outcomes,
    planner: {
      afterDone: async () => 2000,
      afterOutcome: (_id, outcome) => (outcome === 'failed' ? undefined : 3000),
      afterFailedRefresh: (_id, at) => at + 500,
    },
    now: () => 1000,
    contexts,
    retries: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
    userTimeoutMs: 60_000,
    stopSignal: new AbortController().signal,
    outage: { downHosts: () => [], awaitingFirstContact: false },
    emitter: { emit: (name, event) => events.push({ name, event }) },
    log: silentLogger,
    troubleLog: () => {},
    ...more,
  });
  const slot: Slot = {
    force: new AbortController().signal,
    leave: () => log.push('leave'),
  };
  return {
    attempts,
    slot,
    log,
    events,
    calls: () => calls,
    pagesClosed: () => pagesClosed,
    store: (s: StoredUser) => {
      stored = s;
    },
  };
}

describe('user attempt', () => {
  it('crawls, leaves the slot, writes the result, queues neighbours, then completes', async () => {
    const t = setup(async () => result('u1'));
    await t.attempts.crawl(lease, t.slot);
    expect(t.log).toEqual(['leave', 'saveUser u1', 'discover u1 0 f1', 'complete u1 done']);
    expect(t.events.map((e) => e.name)).toEqual(['userDone']);
    expect(t.pagesClosed()).toBe(1);
  });

  it('a result stored since the lease was enqueued is completed without crawling again', async () => {
    const t = setup(async () => result('u1'));
    t.store({ status: 'done', lastCrawledAt: 1000 } as StoredUser);
    await t.attempts.crawl(lease, t.slot);
    expect(t.calls()).toBe(0);
    expect(t.log).toEqual(['discover u1 0 e1', 'complete u1 done']);
  });

  it('a result stored before the lease was enqueued is crawled again', async () => {
    const t = setup(async () => result('u1'));
    t.store({ status: 'done', lastCrawledAt: 999 } as StoredUser);
    await t.attempts.crawl(lease, t.slot);
    expect(t.calls()).toBe(1);
  });

  it('retries a transient failure, then fails the user after maxAttempts with the reason', async () => {
    const t = setup(async () => {
      throw new NetworkError('reset');
    });
    await t.attempts.crawl(lease, t.slot);
    expect(t.calls()).toBe(2);
    expect(t.log[0]).toBe('saveOutcome u1 failed');
    expect(t.log[1]).toMatch(/^complete u1 failed \(network after 2 attempts: reset\)$/);
    expect(t.events[0]).toMatchObject({ name: 'userFailed', event: { id: 'u1', code: 'NETWORK' } });
  });

  it('a refresh that fails goes back to its final set, due again soon, and counts as failed', async () => {
    const refresh = { ...lease, refresh: true };
    for (const previous of ['done', 'failed', 'notfound'] as const) {
      const t = setup(async () => {
        throw new NetworkError('reset');
      });
      t.store({ status: previous, lastCrawledAt: 500 } as StoredUser);
      await t.attempts.crawl(refresh, t.slot);
      const set = previous === 'notfound' ? 'notfound' : 'done';
      // The failure is on record in the results; the state keeps the user scheduled.
      expect(t.log).toEqual(['saveOutcome u1 failed', `retryLater u1 ${set} 1500`]);
      expect(t.events[0]).toMatchObject({ name: 'userFailed', event: { id: 'u1', code: 'NETWORK' } });
    }
  });

  it('a failed refresh stored before a crash is scheduled again without crawling', async () => {
    const t = setup(async () => result('u1'));
    t.store({ status: 'failed', lastCrawledAt: 1000, lastGoodCrawledAt: 400 } as StoredUser);
    await t.attempts.crawl(lease, t.slot);
    expect(t.calls()).toBe(0);
    expect(t.log).toEqual(['retryLater u1 done 1500']);
  });

  it('a missing user ends notfound at once', async () => {
    const t = setup(async () => {
      throw new NotFoundError('no such user');
    });
    await t.attempts.crawl(lease, t.slot);
    expect(t.calls()).toBe(1);
    expect(t.log).toEqual(['saveOutcome u1 notfound', 'complete u1 notfound (no such user)']);
    expect(t.events.map((e) => e.name)).toEqual(['userNotFound']);
  });

  it('never rejects: a store error while completing releases the user and pauses claims', async () => {
    const released: string[] = [];
    const t = setup(async () => result('u1'), {
      outcomes: {
        complete: () => Promise.reject(new StoreError('locked')),
        release: async (id, _code, reason, pause) => {
          released.push(`${id} ${reason}${pause ? ' +pause' : ''}`);
        },
        addDiscovered: async () => {},
        retryLater: async () => {},
      },
    });
    await expect(t.attempts.crawl(lease, t.slot)).resolves.toBeUndefined();
    expect(released).toEqual(['u1 store error: locked +pause']);
  });

  it('a stopping run releases the user before crawling it', async () => {
    const stop = new AbortController();
    stop.abort();
    const t = setup(async () => result('u1'), { stopSignal: stop.signal });
    await t.attempts.crawl(lease, t.slot);
    expect(t.calls()).toBe(0);
    expect(t.log).toEqual(['release u1 stopping']);
  });

  it('an attempt past its deadline is cut and judged as a timeout', async () => {
    const t = setup(() => new Promise<UserResult>(() => {}), {
      userTimeoutMs: 5,
      retries: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    await t.attempts.crawl(lease, t.slot);
    expect(t.log[1]).toMatch(/^complete u1 failed \(timeout after 1 attempt/);
    expect(t.pagesClosed()).toBe(1);
  });
});
