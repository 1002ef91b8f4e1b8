/**
 * The crawl engine: claims IDs with leases, crawls each user through the site adapter with a
 * deadline, writes results before moving the ID to its final set, and lets the retry policy
 * judge every error. Nothing waits forever: store calls, page leases, crawls and sleeps are all
 * raced against a deadline or the stop signal. See docs/engine.md.
 */
import os from 'node:os';
import path from 'node:path';
import { formatMs, linkedSignal, sharedController, sleep, untilAborted, withTimeout } from './deadline.js';
import { OutageMonitor } from './engine-outage.js';
import { createStoreCalls } from './engine-store-calls.js';
import type { BrowserMode, Crawler, EngineOptions, RunSummary } from './engine-types.js';
import {
  AbortedError,
  CrawlError,
  describeError,
  isFatalStoreError,
  MissingDependencyError,
  NetworkError,
  ParseError,
  SiteDownError,
  StoreError,
  TimeoutError,
} from './errors.js';
import { type CrawlerEventName, type Listener, TypedEmitter } from './events.js';
import { defaultRequestRetry, HostLimiter, politeHttp } from './host-limiter.js';
import type { HttpClient } from './http-client.js';
import type { Logger, LogLevel } from './logger.js';
import type { UserResult } from './model.js';
import {
  backoffDelay,
  decide,
  defaultRetryPolicy,
  isSiteRateLimit,
  type RetryPolicy,
} from './retry-policy.js';
import type { CrawlContext, DiscoveryOptions, GraphOptions, PageLease } from './site-adapter.js';
import { createSnapshotter } from './snapshots.js';
import type { IdRecord, Lease } from './state-store.js';

export type { BrowserMode, Crawler, EngineOptions, PagePool, RunSummary } from './engine-types.js';
export type { CrawlerEvents, ProgressEvent } from './events.js';

/** Pages leased during one attempt; `closed` once the attempt is over. */
type PageLeases = PageLease[] & { closed: boolean };

interface Task {
  id: string;
  /** True while the user holds one of the `concurrency` crawl slots (not while its result is written). */
  inSlot: boolean;
  /** Aborted only when stop() gave up waiting: the crawl is cut and the ID released. */
  force: AbortController;
  done: Promise<void>;
}

/** An engine given no graph options stores no follow lists: they are read only for discovery. */
const GRAPH_OFF: GraphOptions = { follows: false, fans: false, maxFollows: 0, maxFans: 0 };

export function createEngine(options: EngineOptions): Crawler {
  const emitter = new TypedEmitter();
  const log = engineLogger(options.logger, emitter);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const leaseMs = options.leaseMs ?? 120_000;
  const userTimeoutMs = options.userTimeoutMs ?? 300_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const storeTimeoutMs = options.storeTimeoutMs ?? 30_000;
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}`;
  const browserMode: BrowserMode = options.browserMode ?? 'when-needed';
  const retryPolicy: RetryPolicy = { ...defaultRetryPolicy, ...options.retries };
  const discovery: DiscoveryOptions = { enabled: false, maxDepth: 1, maxPerUser: 100, ...options.discovery };
  const graph: GraphOptions = options.graph ?? GRAPH_OFF;
  const { site, state, results } = options;
  const promoteBacklog = options.promoteBacklog ?? options.autoPromote;

  const snapshots = createSnapshotter({
    dir: options.snapshotsDir ?? path.join(process.cwd(), '.csdn-crawl', 'snapshots'),
    capBytes: options.snapshotCapBytes,
    logger: log,
  });

  let current: Promise<RunSummary> | undefined;
  let stopController: AbortController | undefined;
  // The caller may ask to stop before run() started (a signal handler racing the start).
  let stopRequestedBeforeRun = false;

  const storeCalls = createStoreCalls(storeTimeoutMs, options.storeGiveUpMs ?? 60_000);
  const store = <T>(work: Promise<T>, what: string): Promise<T> => storeCalls.call(work, what);

  async function runOnce(): Promise<RunSummary> {
    const startedAt = Date.now();
    const limiter = new HostLimiter(options.politeness);
    const outage = new OutageMonitor(options.http, {
      ...options.outage,
      logger: log,
      onDown: (host, since) => emitter.emit('siteDown', { host, since }),
      onUp: (host, downMs) => emitter.emit('siteUp', { host, downMs }),
    });
    const http = politeHttp(options.http, limiter, {
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retry: { ...defaultRequestRetry, ...options.requestRetries },
      outage,
      logger: log,
    });
    const stop = sharedController();
    stopController = stop;
    let stoppedBy: RunSummary['stoppedBy'];
    const onSignal = () => {
      stoppedBy ??= 'signal';
      stop.abort(new AbortedError('stopping'));
    };
    if (options.signal?.aborted || stopRequestedBeforeRun) onSignal();
    options.signal?.addEventListener('abort', onSignal, { once: true });
    stop.signal.addEventListener('abort', () => {
      stoppedBy ??= 'signal';
      wakeLoop();
    });
    // A damaged file, a full disk, a server gone past its reconnect window: retrying each user only
    // spins, so the run stops (users in flight go back to pending) and run() rejects with it.
    let fatalStoreError: StoreError | undefined;
    storeCalls.onFatal = (error) => {
      if (fatalStoreError) return;
      fatalStoreError = error;
      log.debug(`stopping: ${describeError(error)}`);
      stop.abort(new AbortedError('stopping: a store failed'));
    };

    /**
     * Store trouble shows once per 10 s, not once per user: a reconnecting server fails every call
     * (each user goes back to pending) until it is back or the trouble turns fatal. A fatal error
     * is reported once, by run()'s rejection.
     */
    let storeWarnedAt = 0;
    function storeTroubleLog(what: string, error: unknown, id: string) {
      if (isFatalStoreError(error) || fatalStoreError) return;
      const now = Date.now();
      const level = now - storeWarnedAt >= 10_000 ? 'warn' : 'debug';
      if (level === 'warn') storeWarnedAt = now;
      log[level](`${what}: ${describeError(error)}`, { user: id });
    }

    const counts = { done: 0, notfound: 0, failed: 0, released: 0 };
    const finishedAt: number[] = [];
    const tasks = new Map<string, Task>();
    /** Tasks holding a crawl slot; the others are writing their result. */
    let crawling = 0;
    /** Leases claimed ahead, not started yet. */
    const queued: Lease[] = [];
    const prefetch = Math.ceil(concurrency / 2);
    async function releaseQueued(reason: string) {
      if (queued.length === 0) return;
      const ids = queued.splice(0).map((l) => l.id);
      try {
        await store(state.release(workerId, ids), 'state.release');
      } catch (error) {
        storeTroubleLog(`could not release ${ids.length} claimed IDs (${reason})`, error, ids[0]);
      }
    }
    const requestsAtStart = http.requestCount();
    let claimPausedUntil = 0;
    let wake: (() => void) | undefined;
    function wakeLoop() {
      wake?.();
    }
    function waitForWake(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }

    // ---- one user -------------------------------------------------------------------------
    async function complete(id: string, outcome: 'done' | 'notfound' | 'failed', reason?: string) {
      const held = await store(state.complete(workerId, id, outcome, reason), 'state.complete');
      if (!held)
        log.warn(`lease on ${id} was lost before completion; another worker owns it now`, { user: id });
      counts[outcome]++;
      finishedAt.push(Date.now());
    }

    async function release(id: string, reason: string, pauseClaims = false) {
      try {
        await store(state.release(workerId, [id]), 'state.release');
      } catch (error) {
        // The lease expires by itself; another claim picks the ID up then.
        storeTroubleLog(`could not release ${id}`, error, id);
      }
      counts.released++;
      if (pauseClaims)
        claimPausedUntil = Math.max(claimPausedUntil, Date.now() + Math.min(5000, leaseMs / 4));
      emitter.emit('userReleased', { id, reason });
      log.debug(`released ${id}: ${reason}`, { user: id });
    }

    async function addDiscovered(from: string, depth: number, follows: string[] = [], fans: string[] = []) {
      if (!discovery.enabled || depth >= discovery.maxDepth) return;
      const seen = new Set<string>([from]);
      const ids: string[] = [];
      for (const raw of [...follows.slice(0, discovery.maxPerUser), ...fans.slice(0, discovery.maxPerUser)]) {
        let id: string;
        try {
          id = site.normalizeId(raw);
        } catch {
          continue;
        }
        if (seen.has(id)) continue;
        seen.add(id);
        ids.push(id);
      }
      if (ids.length === 0) return;
      const to = promoteBacklog === undefined ? 'pending' : 'backlog';
      await store(state.add(ids, { to, depth: depth + 1 }), 'state.add');
      emitter.emit('discovered', { ids, from, depth: depth + 1 });
    }

    function context(id: string, signal: AbortSignal, pages: PageLeases): CrawlContext {
      const userLog = childLogger(log, { user: id });
      const userHttp: HttpClient = {
        get: (url, request = {}) => {
          const link = linkedSignal([signal, request.signal]);
          return http.get(url, { ...request, signal: link.signal }).finally(() => link.dispose());
        },
        setCookies: (host, cookies) => http.setCookies(host, cookies),
        clearCookies: (host) => http.clearCookies(host),
      };
      return {
        http: userHttp,
        get canUseBrowser() {
          return browserMode !== 'never' && options.pagePool?.available === true;
        },
        page: async () => {
          if (browserMode === 'never') {
            throw new MissingDependencyError('this user needs a browser, but browser use is off', {
              hint: 'set browser mode to "when-needed" and configure a browser driver',
            });
          }
          const pool = options.pagePool;
          if (!pool?.available) {
            throw new MissingDependencyError('this user needs a browser, but none is available', {
              hint: 'install playwright-core or selenium-webdriver and Chromium, then configure the browser driver',
            });
          }
          const leasing = pool.lease(signal);
          let lease: PageLease;
          try {
            lease = await withTimeout(leasing, userTimeoutMs, 'waiting for a browser page', signal);
          } catch (error) {
            // A page that arrives after we stopped waiting must still go back to the pool.
            leasing.then((late) => late.release()).catch(() => {});
            throw error;
          }
          if (pages.closed) {
            // The attempt is over (an adapter that ignored its signal): no page may outlive it.
            await lease.release().catch(() => {});
            throw new AbortedError('the attempt at this user is over');
          }
          pages.push(lease);
          return lease;
        },
        signal,
        log: userLog,
        snapshot: (input) => snapshots.save(id, input),
        discovery,
        graph,
        browserMode,
      };
    }

    async function attemptCrawl(id: string, force: AbortSignal): Promise<UserResult> {
      const link = linkedSignal(
        [force],
        userTimeoutMs,
        `user ${id} not finished within ${formatMs(userTimeoutMs)}`,
      );
      const pages: PageLeases = Object.assign([] as PageLease[], { closed: false });
      const cut = untilAborted(link.signal);
      try {
        const result = await Promise.race([site.crawlUser(id, context(id, link.signal, pages)), cut.promise]);
        if (!result || typeof result !== 'object' || !Array.isArray(result.articles) || !result.profile) {
          throw new ParseError(`adapter ${site.name} returned no usable result for ${id}`);
        }
        return result;
      } finally {
        pages.closed = true;
        cut.dispose();
        link.dispose();
        await Promise.allSettled(pages.map((p) => withTimeout(p.release(), 10_000, 'page release')));
      }
    }

    async function crawlOne(lease: Lease, force: AbortSignal): Promise<void> {
      const id = lease.id;
      const t0 = Date.now();
      const stored = await store(results.getUser(id), 'results.getUser');
      if (stored && stored.lastCrawledAt >= lease.enqueuedAt) {
        // Stored before a crash, never moved to its final set: complete it, do not crawl twice.
        if (stored.status === 'done') {
          const edges = await store(results.getEdges(id), 'results.getEdges');
          await addDiscovered(id, lease.depth, edges.follows, edges.fans);
        }
        log.debug(`${id} already stored at ${new Date(stored.lastCrawledAt).toISOString()}; completing`, {
          user: id,
        });
        await complete(id, stored.status, stored.reason);
        return;
      }

      let attempt = 0;
      let throttles = 0;
      for (;;) {
        if (stop.signal.aborted || force.aborted) return release(id, 'stopping');
        if (outage.downHosts().length > 0) return release(id, 'site down');
        let result: UserResult | undefined;
        let error: unknown;
        try {
          result = await attemptCrawl(id, force);
        } catch (caught) {
          error = caught;
        }

        if (result) {
          // Writing the result does not need a crawl slot: the next user may start meanwhile.
          leaveSlot(id);
          try {
            await store(results.saveUser(result, Date.now()), 'results.saveUser');
            await addDiscovered(id, lease.depth, result.follows, result.fans);
          } catch (saveError) {
            storeTroubleLog(`could not store ${id}`, saveError, id);
            return release(id, `store error: ${describeError(saveError)}`, true);
          }
          await complete(id, 'done');
          emitter.emit('userDone', { id, articles: result.articles.length, ms: Date.now() - t0 });
          return;
        }

        if (force.aborted) return release(id, 'stopped before finishing');
        if (error instanceof AbortedError && stop.signal.aborted) return release(id, 'stopping');
        const connectionTrouble =
          error instanceof NetworkError || error instanceof TimeoutError || error instanceof SiteDownError;
        if (connectionTrouble && outage.downHosts().length > 0) {
          return release(id, `site down (${describeError(error)})`);
        }

        const costed = isSiteRateLimit(error) ? attempt : attempt + 1;
        const decision = decide(error, costed, retryPolicy, throttles);
        if (decision.action === 'retry') {
          if (decision.costsAttempt) {
            attempt = costed;
            throttles = 0;
          } else throttles++;
          log.debug(`retrying ${id} in ${formatMs(decision.delayMs)}: ${describeError(error)}`, {
            user: id,
            attempt,
            throttles,
          });
          const wait = linkedSignal([stop.signal, force]);
          try {
            await sleep(decision.delayMs, wait.signal);
          } catch {
            return release(id, 'stopping');
          } finally {
            wait.dispose();
          }
          continue;
        }
        if (decision.action === 'final' && connectionTrouble && outage.awaitingFirstContact) {
          // A site that never answered in this run says nothing about this user: keep it pending
          // (the outage monitor ends the run if the site stays unreachable).
          return release(id, `site not reached yet (${describeError(error)})`, true);
        }
        if (decision.action === 'release') {
          const stopping = error instanceof AbortedError || error instanceof SiteDownError;
          return release(id, decision.reason, !stopping);
        }
        await store(
          results.saveOutcome(id, decision.outcome, decision.reason, Date.now()),
          'results.saveOutcome',
        );
        await complete(id, decision.outcome, decision.reason);
        if (decision.outcome === 'notfound') emitter.emit('userNotFound', { id, ms: Date.now() - t0 });
        else {
          const code = error instanceof CrawlError ? error.code : 'ERROR';
          log.warn(`${id} failed: ${decision.reason}`, { user: id, code });
          emitter.emit('userFailed', { id, reason: decision.reason, code });
        }
        return;
      }
    }

    /**
     * Before taking back its own leases, a restarted worker completes the users it had already
     * stored: a result written after the lease's last update (claim or renewal) belongs to that
     * lease. Done before they go back to pending, so that they are not even claimed again.
     * Only the leased set is read (a few per worker), never all IDs.
     */
    async function completeStoredLeases() {
      const mine: IdRecord[] = [];
      let after: string | undefined;
      for (let page = 0; page < 100; page++) {
        const records = await store(state.list('leased', { limit: 500, after }), 'state.list');
        mine.push(...records.filter((r) => r.owner === workerId));
        if (records.length < 500) break;
        after = records[records.length - 1].id;
      }
      let completed = 0;
      for (const record of mine) {
        const stored = await store(results.getUser(record.id), 'results.getUser');
        if (!stored || stored.lastCrawledAt < record.updatedAt) continue;
        if (stored.status === 'done') {
          const edges = await store(results.getEdges(record.id), 'results.getEdges');
          await addDiscovered(record.id, record.depth, edges.follows, edges.fans);
        }
        await complete(record.id, stored.status, stored.reason);
        completed++;
      }
      if (completed > 0)
        log.info(`completed ${completed} users stored before a restart without crawling them again`);
    }

    function leaveSlot(id: string) {
      const task = tasks.get(id);
      if (!task?.inSlot) return;
      task.inSlot = false;
      crawling--;
      wakeLoop();
    }

    function start(lease: Lease) {
      const force = sharedController();
      crawling++;
      const task: Task = {
        id: lease.id,
        inSlot: true,
        force,
        done: crawlOne(lease, force.signal)
          .catch(async (error: unknown) => {
            if (error instanceof StoreError) {
              storeTroubleLog(`${lease.id} back to pending`, error, lease.id);
              return release(lease.id, `store error: ${error.message}`, true);
            }
            log.error(`unexpected error on ${lease.id}: ${describeError(error)}`, { user: lease.id });
            await release(lease.id, `engine error: ${describeError(error)}`, true);
          })
          .finally(() => {
            leaveSlot(lease.id);
            tasks.delete(lease.id);
            wakeLoop();
          }),
      };
      tasks.set(lease.id, task);
    }

    // ---- timers: lease renewal, progress, heartbeat ------------------------------------------
    const renewEvery = Math.max(500, Math.floor(leaseMs / 3));
    let renewing = false;
    const renewTimer = setInterval(() => {
      if (renewing || (tasks.size === 0 && queued.length === 0)) return;
      renewing = true;
      store(state.renew(workerId, [...tasks.keys(), ...queued.map((l) => l.id)], leaseMs), 'state.renew')
        .catch((error) => log.warn(`lease renewal failed: ${describeError(error)}`))
        .finally(() => {
          renewing = false;
        });
    }, renewEvery);

    const requestSamples: { t: number; n: number }[] = [{ t: Date.now(), n: http.requestCount() }];
    let lastPending = -1;
    let counting = false;
    let ticks = 0;
    async function refreshPending() {
      await withTimeout(state.counts(), 5000, 'state.counts')
        .then((c) => {
          lastPending = c.pending;
        })
        .catch(() => {});
    }
    function progress() {
      const now = Date.now();
      while (finishedAt.length > 0 && finishedAt[0] < now - 60_000) finishedAt.shift();
      const windowMs = Math.min(60_000, Math.max(1000, now - startedAt));
      requestSamples.push({ t: now, n: http.requestCount() });
      while (requestSamples.length > 2 && requestSamples[0].t < now - 5000) requestSamples.shift();
      const first = requestSamples[0];
      const last = requestSamples[requestSamples.length - 1];
      const requestsPerSec = last.t > first.t ? ((last.n - first.n) * 1000) / (last.t - first.t) : 0;
      emitter.emit('progress', {
        done: counts.done,
        failed: counts.failed,
        notfound: counts.notfound,
        released: counts.released,
        inFlight: tasks.size,
        pending: lastPending,
        usersPerMin: Math.round((finishedAt.length * 60_000 * 10) / windowMs) / 10,
        requestsPerSec: Math.round(requestsPerSec * 10) / 10,
        down: outage.downHosts(),
      });
    }
    function heartbeat() {
      if (!state.heartbeat) return;
      withTimeout(
        state.heartbeat({
          workerId,
          host: os.hostname(),
          pid: process.pid,
          startedAt,
          lastSeen: Date.now(),
          inFlight: tasks.size,
          rate: finishedAt.length,
        }),
        5000,
        'heartbeat',
      ).catch(() => {});
    }
    const progressTimer = setInterval(() => {
      ticks++;
      if (!counting) {
        counting = true;
        withTimeout(state.counts(), Math.max(1000, progressIntervalMs * 5), 'state.counts')
          .then((c) => {
            lastPending = c.pending;
          })
          .catch(() => {})
          .finally(() => {
            counting = false;
          });
      }
      progress();
      if (ticks % 5 === 0) heartbeat();
    }, progressIntervalMs);
    // A worker shows in `status` from its first second, not only after five progress ticks.
    heartbeat();

    // ---- the claim loop -------------------------------------------------------------------
    try {
      if (options.ids && options.ids.length > 0) await addInitialIds(options.ids);
      await completeStoredLeases();
      const reclaimed = await store(state.releaseOwner(workerId), 'state.releaseOwner');
      if (reclaimed > 0) log.info(`took back ${reclaimed} IDs this worker held before a restart`);
      await refreshPending();

      let claimFailures = 0;
      let waitingForOthers = false;
      while (!stop.signal.aborted) {
        if (outage.downHosts().length > 0) {
          await releaseQueued('site down');
          await outage.whenAllUp(stop.signal).catch(() => {});
          // Never answered in this run: a wrong base URL or no network, not an outage to wait out.
          if (outage.unreachable) throw outage.unreachable;
          continue;
        }
        const pausedFor = claimPausedUntil - Date.now();
        if (pausedFor > 0) {
          await waitForWake(pausedFor);
          continue;
        }
        if (tasks.size >= concurrency * 2) {
          // Results are written more slowly than users are crawled: let the writes catch up.
          await waitForWake(1000);
          continue;
        }
        while (crawling < concurrency && queued.length > 0) start(queued.shift()!);
        // Claim ahead (a few leases held locally, renewed with the rest) so that a freed slot
        // starts the next user at once and claims are batched instead of one per user.
        const free = concurrency - crawling;
        const room = concurrency + prefetch - crawling - queued.length;
        if (free === 0 && queued.length > prefetch / 2) {
          await waitForWake(1000);
          continue;
        }
        let leases: Lease[];
        try {
          leases = await store(state.claim(workerId, room, leaseMs), 'state.claim');
          claimFailures = 0;
        } catch (error) {
          // Transient trouble (a lock, a reconnecting server) is waited out; store() turns it fatal
          // once it lasted storeGiveUpMs, and a fatal error ends the run here.
          claimFailures++;
          if (isFatalStoreError(error)) throw error;
          log.warn(`claim failed (${claimFailures}): ${describeError(error)}`);
          await waitForWake(
            Math.min(10_000, backoffDelay(claimFailures, { ...retryPolicy, random: () => 1 })),
          );
          continue;
        }
        if (leases.length > 0) {
          queued.push(...leases);
          continue;
        }
        if (tasks.size > 0 || queued.length > 0) {
          await waitForWake(1000);
          continue;
        }
        if (promoteBacklog !== undefined && promoteBacklog > 0) {
          const promoted = await store(state.promote(promoteBacklog), 'state.promote');
          if (promoted > 0) {
            log.info(`promoted ${promoted} IDs from the backlog`);
            continue;
          }
        }
        // Leases held elsewhere (a worker that died near the end) come back when they expire:
        // stay until then, or those IDs would wait for the next run.
        const leasedElsewhere = (await store(state.counts(), 'state.counts')).leased;
        if (leasedElsewhere > 0) {
          if (!waitingForOthers) log.info(`waiting for ${leasedElsewhere} IDs leased by other workers`);
          waitingForOthers = true;
          await waitForWake(Math.min(5000, Math.max(250, leaseMs / 4)));
          continue;
        }
        stoppedBy ??= 'drained';
        break;
      }
    } finally {
      await releaseQueued('stopping');
      await settle();
      clearInterval(renewTimer);
      clearInterval(progressTimer);
      options.signal?.removeEventListener('abort', onSignal);
      storeCalls.onFatal = undefined;
      storeCalls.reset();
      await refreshPending();
      progress();
      await outage.close();
      if (state.signOff) await withTimeout(state.signOff(workerId), 5000, 'signOff').catch(() => {});
    }
    if (fatalStoreError) {
      log.info(
        `run stopped by a store error: ${counts.done} done, ${counts.notfound} not found, ${counts.failed} failed, ${counts.released} returned to pending`,
      );
      throw fatalStoreError;
    }

    async function settle() {
      if (tasks.size === 0) return;
      const all = () => Promise.allSettled([...tasks.values()].map((t) => t.done));
      const finished = await withTimeout(all(), stopTimeoutMs, 'in-flight users').then(
        () => true,
        () => false,
      );
      if (finished) return;
      log.warn(
        `stopping: ${tasks.size} users did not finish within ${formatMs(stopTimeoutMs)}; releasing them`,
      );
      for (const task of tasks.values()) task.force.abort(new AbortedError('stopped'));
      // Releases are store calls, each already bounded by storeTimeoutMs.
      await withTimeout(all(), storeTimeoutMs + 5000, 'releasing in-flight users').catch(() => {
        log.error(`${tasks.size} users still busy after stopping; their leases will expire`);
      });
    }

    const durationMs = Date.now() - startedAt;
    const finished = counts.done + counts.notfound + counts.failed;
    const summary: RunSummary = {
      ...counts,
      requests: http.requestCount() - requestsAtStart,
      durationMs,
      usersPerMinute: durationMs > 0 ? Math.round((finished * 60_000 * 10) / durationMs) / 10 : 0,
      stoppedBy,
    };
    if (state.setMeta) {
      await withTimeout(
        state.setMeta('lastRun', { workerId, startedAt, endedAt: Date.now(), ...summary }),
        5000,
        'state.setMeta',
      ).catch((error) => log.warn(`could not record the run's figures: ${describeError(error)}`));
    }
    log.info(
      `run ended (${stoppedBy ?? 'unknown'}): ${counts.done} done, ${counts.notfound} not found, ${counts.failed} failed, ${counts.released} released in ${formatMs(durationMs)}`,
    );
    return summary;
  }

  async function addInitialIds(ids: readonly string[]) {
    const valid: string[] = [];
    let invalid = 0;
    for (const raw of ids) {
      try {
        valid.push(site.normalizeId(raw));
      } catch (error) {
        invalid++;
        if (invalid <= 5) log.warn(`skipping ${JSON.stringify(raw.slice(0, 80))}: ${describeError(error)}`);
      }
    }
    if (invalid > 5) log.warn(`skipped ${invalid} invalid IDs in all`);
    if (valid.length > 0) await store(state.add(valid, { to: 'pending', depth: 0 }), 'state.add');
  }

  return {
    run() {
      if (current) return current;
      const running = runOnce().finally(async () => {
        current = undefined;
        stopController = undefined;
        stopRequestedBeforeRun = false;
      });
      current = running;
      return running;
    },
    async stop() {
      const running = current;
      if (!running) {
        stopRequestedBeforeRun = true;
        return;
      }
      stopController?.abort(new AbortedError('stopping'));
      await running.then(
        () => undefined,
        () => undefined,
      );
    },
    on<E extends CrawlerEventName>(event: E, listener: Listener<E>) {
      return emitter.on(event, listener);
    },
    off<E extends CrawlerEventName>(event: E, listener: Listener<E>) {
      emitter.off(event, listener);
    },
  };
}

function engineLogger(base: Logger | undefined, emitter: TypedEmitter): Logger {
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    base?.[level](message, fields);
    emitter.emit('log', { level, message, fields });
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

function childLogger(base: Logger, fields: Record<string, unknown>): Logger {
  const wrap = (level: LogLevel) => (message: string, more?: Record<string, unknown>) =>
    base[level](message, { ...fields, ...more });
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
