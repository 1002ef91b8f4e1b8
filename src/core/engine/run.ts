/**
 * One run of the engine: builds the run's parts (polite HTTP, outage monitor, store calls,
 * progress meter, outcomes, crawl contexts, user attempts, scheduler, lease keeper), wires them
 * through their small interfaces, runs the claim loop and tears everything down in order.
 */
import { formatMs, withTimeout } from '../deadline.js';
import { AbortedError, describeError, type StoreError } from '../errors.js';
import type { TypedEmitter } from '../events.js';
import { HostLimiter, type HostLimiterFleet } from '../host-limiter.js';
import { HostRates } from '../host-rates.js';
import type { Logger } from '../logger.js';
import { normalizeIds } from '../normalize-ids.js';
import { politeHttp } from '../polite-http.js';
import type { Snapshotter } from '../snapshots.js';
import { createCrawlContexts } from './crawl-context.js';
import { createLeaseKeeper } from './lease-keeper.js';
import { OutageMonitor } from './outage-monitor.js';
import { createOutcomes } from './outcomes.js';
import { createProgressMeter } from './progress-meter.js';
import { createRefreshPlanner } from './refresh-planner.js';
import { createScheduler } from './scheduler.js';
import { createStoreTroubleLog, type StoreCalls } from './store-calls.js';
import type { EngineOptions, RunSummary } from './types.js';
import { createUserAttempts } from './user-attempt.js';

export interface RunDeps {
  options: EngineOptions;
  emitter: TypedEmitter;
  log: Logger;
  storeCalls: StoreCalls;
  snapshots: Snapshotter;
  /** The run's stop switch (stop() and the caller's signal abort it). */
  stop: AbortController;
}

const INVALID_IDS_SHOWN = 5;
const SIDE_CALL_TIMEOUT_MS = 5000;

/** The fleet budget for the host limiter; its trouble is one warning, then debug lines. */
function fleetOf(options: EngineOptions, log: Logger): HostLimiterFleet | undefined {
  const budget = options.fleetBudget;
  if (!budget) return undefined;
  let warned = false;
  return {
    budget,
    onError(error) {
      const line = `fleet budget unavailable, pacing this worker alone: ${describeError(error)}`;
      if (warned) log.debug(line);
      else log.warn(line);
      warned = true;
    },
  };
}

export async function runOnce(deps: RunDeps): Promise<RunSummary> {
  const { options, emitter, log, storeCalls, snapshots, stop } = deps;
  const { site, state, results, workerId } = options;
  const store = storeCalls.call;
  const startedAt = Date.now();
  const outage = new OutageMonitor(options.http, {
    ...options.outage,
    logger: log,
    onDown: (host, since) => emitter.emit('siteDown', { host, since }),
    onUp: (host, downMs) => emitter.emit('siteUp', { host, downMs }),
  });
  const limiter = new HostLimiter(options.politeness, fleetOf(options, log));
  const rates = options.rateControl
    ? new HostRates(limiter, {
        settings: options.rateControl,
        logger: log,
        onChange: (change) => emitter.emit('rateChange', change),
      })
    : undefined;
  const http = politeHttp(options.http, limiter, {
    requestTimeoutMs: options.requestTimeoutMs,
    retry: options.requestRetries,
    outage,
    rates,
    logger: log,
  });
  let stoppedBy: RunSummary['stoppedBy'];
  const onSignal = () => stop.abort(new AbortedError('stopping'));
  if (options.signal?.aborted) onSignal();
  options.signal?.addEventListener('abort', onSignal, { once: true });
  stop.signal.addEventListener('abort', () => {
    stoppedBy ??= 'signal';
  });
  if (stop.signal.aborted) stoppedBy = 'signal';
  // A damaged file, a full disk, a server gone past its reconnect window: retrying each user only
  // spins, so the run stops (users in flight go back to pending) and run() rejects with it.
  let fatalStoreError: StoreError | undefined;
  storeCalls.onFatal = (error) => {
    if (fatalStoreError) return;
    fatalStoreError = error;
    log.debug(`stopping: ${describeError(error)}`);
    stop.abort(new AbortedError('stopping: a store failed'));
  };
  const troubleLog = createStoreTroubleLog(log, () => fatalStoreError !== undefined);

  const meter = createProgressMeter({
    requestCount: () => http.requestCount(),
    downHosts: () => outage.downHosts(),
    inFlight: () => scheduler.inFlight(),
    rates: () => rates?.snapshot() ?? {},
    countPending: () => state.counts().then((c) => c.pending),
    emit: (event) => emitter.emit('progress', event),
  });
  const outcomes = createOutcomes({
    state,
    store,
    workerId,
    meter,
    pauseClaims: () => scheduler.pauseClaims(),
    discovery: options.discovery,
    promoteBacklog: options.promoteBacklog,
    site,
    emitter,
    log,
    troubleLog,
  });
  const attempts = createUserAttempts({
    site,
    results,
    store,
    outcomes,
    planner: createRefreshPlanner({ refresh: options.refresh, results, store }),
    now: options.now,
    contexts: createCrawlContexts({
      http,
      pacer: http.pages,
      browserMode: options.browserMode,
      pagePool: options.pagePool,
      pageWaitMs: options.userTimeoutMs,
      snapshots,
      discovery: options.discovery,
      graph: options.graph,
      log,
    }),
    retries: options.retries,
    userTimeoutMs: options.userTimeoutMs,
    stopSignal: stop.signal,
    outage,
    emitter,
    log,
    troubleLog,
  });
  const scheduler = createScheduler({
    concurrency: Math.max(1, Math.floor(options.concurrency)),
    leaseMs: options.leaseMs,
    stopTimeoutMs: options.stopTimeoutMs,
    releaseTimeoutMs: options.storeTimeoutMs + 5000,
    retries: options.retries,
    promoteBacklog: options.promoteBacklog,
    watch: options.watch ? { recheckMs: options.watchRecheckMs } : undefined,
    claims: {
      // Pending first, then refreshes that are due (a daily cron `run` refreshes exactly those).
      claim: (n) =>
        store(state.claim(workerId, n, options.leaseMs, { due: true, now: options.now() }), 'state.claim'),
      release: (ids) => store(state.release(workerId, ids), 'state.release'),
      promote: (n) => store(state.promote(n), 'state.promote'),
      leased: () => store(state.counts(), 'state.counts').then((c) => c.leased),
      dueIn: async () => {
        if (!state.dueSummary) return undefined;
        const now = options.now();
        const due = await store(state.dueSummary(now), 'state.dueSummary');
        if (due.dueNow > 0) return 0;
        return due.nextDueAt === undefined ? undefined : due.nextDueAt - now;
      },
    },
    outage,
    runUser: (lease, slot) => attempts.crawl(lease, slot),
    stopSignal: stop.signal,
    log,
    troubleLog,
  });
  const keeper = createLeaseKeeper({
    state,
    store,
    workerId,
    leaseMs: options.leaseMs,
    heartbeatEveryMs: options.progressIntervalMs * 5,
    held: () => scheduler.held(),
    inFlight: () => scheduler.inFlight(),
    rate: () => meter.recentlyFinished(),
    rates: () => rates?.snapshot() ?? {},
    startedAt,
    log,
  });

  async function addInitialIds(ids: readonly string[]) {
    const { valid, invalid } = normalizeIds(site, ids);
    for (const { input, reason } of invalid.slice(0, INVALID_IDS_SHOWN))
      log.warn(`skipping ${JSON.stringify(input.slice(0, 80))}: ${reason}`);
    if (invalid.length > INVALID_IDS_SHOWN) log.warn(`skipped ${invalid.length} invalid IDs in all`);
    if (valid.length > 0) await store(state.add(valid, { to: 'pending', depth: 0 }), 'state.add');
  }

  keeper.start();
  meter.start(options.progressIntervalMs);
  try {
    if (options.ids && options.ids.length > 0) await addInitialIds(options.ids);
    await keeper.recover(attempts.completeIfStored);
    await meter.refreshPending(SIDE_CALL_TIMEOUT_MS);
    if (await scheduler.run()) stoppedBy ??= 'drained';
  } finally {
    await scheduler.releaseQueued('stopping');
    await scheduler.settle();
    keeper.stop();
    meter.stop();
    options.signal?.removeEventListener('abort', onSignal);
    storeCalls.onFatal = undefined;
    storeCalls.reset();
    await meter.refreshPending(SIDE_CALL_TIMEOUT_MS);
    meter.report();
    await outage.close();
    limiter.close();
    await keeper.signOff();
  }
  const { counts } = meter;
  if (fatalStoreError) {
    log.info(
      `run stopped by a store error: ${counts.done} done, ${counts.notfound} not found, ${counts.failed} failed, ${counts.released} returned to pending`,
    );
    throw fatalStoreError;
  }
  const summary = meter.summary(stoppedBy);
  if (state.setMeta) {
    await withTimeout(
      state.setMeta('lastRun', { workerId, startedAt, endedAt: Date.now(), ...summary }),
      SIDE_CALL_TIMEOUT_MS,
      'state.setMeta',
    ).catch((error) => log.warn(`could not record the run's figures: ${describeError(error)}`));
  }
  log.info(
    `run ended (${stoppedBy ?? 'unknown'}): ${counts.done} done, ${counts.notfound} not found, ${counts.failed} failed, ${counts.released} released in ${formatMs(summary.durationMs)}`,
  );
  return summary;
}
