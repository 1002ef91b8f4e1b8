/**
 * The browser pool: a few browsers, a few pages (tabs) each, handed out as leases.
 *
 * It owns every failure mode of a long crawl in one place: pages whose operations pass their
 * deadline are closed; a close that hangs kills the browser's whole process tree; a crashed
 * browser is replaced; browsers retire after K pages or M minutes (Chromium grows); and
 * nothing it started outlives it, not even on process exit. It receives the driver instance and
 * never imports Playwright or Selenium. Its parts: page slots (browser-pool-slots.ts), the
 * browsers' lives (browser-pool-fleet.ts), leases (browser-pool-lease.ts), the page guard
 * (browser-pool-guard.ts) and the exit hook (browser-pool-exit.ts).
 */
import type { BrowserDriver, LaunchOptions } from './browser-driver.js';
import { type BrowserEntry, BrowserFleet, type PoolCounts } from './browser-pool-fleet.js';
import { type LeaseTimings, makeLease, openPage } from './browser-pool-lease.js';
import { PageSlots } from './browser-pool-slots.js';
import { AbortedError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { PageLease } from './site-adapter.js';

/**
 * The pool takes resolved settings: the five sizes and deadlines below are required, and their
 * defaults live in one place, the config schema's `browser` section (`createCrawler` passes them
 * from there). Only the two fault-handling timings, which no config sets, have defaults here.
 */
export interface BrowserPoolOptions {
  driver: BrowserDriver;
  /** Browsers (config: browser.browsers). With a one-page-per-browser driver (selenium) the pool starts `size × pagesPerBrowser` of them. */
  size: number;
  /** Pages open at once in one browser (config: browser.pagesPerBrowser). */
  pagesPerBrowser: number;
  /** Retire a browser after it has opened this many pages (config: browser.maxPagesPerBrowser). */
  maxPagesPerBrowser: number;
  /** Retire a browser this long after its launch (config: browser.maxBrowserAgeMs). */
  maxBrowserAgeMs: number;
  /** Deadline for opening a page and for page operations without one, url and cookies (config: browser.pageTimeoutMs). */
  opTimeoutMs: number;
  /** How long a page or browser close may take before the browser is killed (default 5 s). */
  closeTimeoutMs?: number;
  /** Extra time a driver gets past an operation's deadline before the page counts as stuck (default 2 s). */
  graceMs?: number;
  launch?: LaunchOptions;
  logger?: Logger;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
const DEFAULT_GRACE_MS = 2_000;

export interface BrowserPoolStats extends PoolCounts {
  /** Browsers running or starting. */
  browsers: number;
  /** Pages leased out now. */
  leased: number;
  /** Pages that may be leased at once. */
  capacity: number;
  /** Leases waiting for a free page. */
  waiting: number;
  /** Pids of the running browsers (chromium, or chromedriver for selenium). */
  pids: number[];
}

export interface BrowserPool {
  /** A page of its own until release(); waits for a free page, rejects when `signal` aborts. */
  lease(signal?: AbortSignal): Promise<PageLease>;
  /** False once closed, or when the driver cannot start (its MissingDependencyError is kept). */
  readonly available: boolean;
  stats(): BrowserPoolStats;
  /** Close every browser (killing those that hang); resolves when none of their processes is left. */
  close(): Promise<void>;
}

/**
 * A pool of browsers handing out guarded pages. It takes resolved settings: `size`,
 * `pagesPerBrowser`, `maxPagesPerBrowser`, `maxBrowserAgeMs` and `opTimeoutMs` are required (their
 * defaults are the config schema's `browser` section; docs/drivers.md lists them).
 */
export function createBrowserPool(options: BrowserPoolOptions): BrowserPool {
  const driver = options.driver;
  const size = Math.max(1, options.size);
  const pagesPerBrowser = Math.max(1, options.pagesPerBrowser);
  const maxPages = Math.max(1, options.maxPagesPerBrowser);
  const timings: LeaseTimings = {
    opTimeoutMs: options.opTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
  };
  const slots = new PageSlots(size * pagesPerBrowser);
  const fleet = new BrowserFleet({
    driver,
    launch: options.launch ?? {},
    perBrowser: Math.min(pagesPerBrowser, Math.max(1, driver.maxOpenPages ?? Number.POSITIVE_INFINITY)),
    maxAgeMs: options.maxBrowserAgeMs,
    closeTimeoutMs: timings.closeTimeoutMs,
    log: options.logger ?? silentLogger,
  });
  let closing: Promise<void> | undefined;

  async function lease(signal?: AbortSignal): Promise<PageLease> {
    if (fleet.closed) throw new AbortedError('the browser pool is closed');
    if (fleet.missing) throw fleet.missing;
    await slots.acquire(signal);
    let entry: BrowserEntry | undefined;
    try {
      entry = await fleet.pick();
      const page = await openPage(fleet, entry, timings, signal);
      entry.opened++;
      fleet.counts.leases++;
      if (entry.opened >= maxPages) fleet.retire(entry, `${maxPages} pages`);
      const leased = entry;
      return makeLease(fleet, leased, page, timings, () => {
        fleet.pageDone(leased);
        slots.release();
        fleet.retireOld();
      });
    } catch (error) {
      if (entry) fleet.pageDone(entry);
      slots.release();
      throw error;
    }
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      fleet.closed = true;
      slots.rejectAll(new AbortedError('the browser pool is closed'));
      await fleet.closeAll();
    })();
    return closing;
  }

  return {
    lease,
    get available() {
      return !fleet.closed && !fleet.missing;
    },
    stats: () => ({
      browsers: fleet.entries.filter((e) => e.state !== 'dead').length,
      leased: slots.leased,
      capacity: slots.capacity,
      waiting: slots.waiting,
      ...fleet.counts,
      pids: fleet.entries.map((e) => e.browser?.pid).filter((pid): pid is number => pid !== undefined),
    }),
    close,
  };
}
