/**
 * The browser pool: a few browsers, a few pages (tabs) each, handed out as leases.
 *
 * It owns every failure mode of a long crawl in one place: pages whose operations pass their
 * deadline are closed; a close that hangs kills the browser's whole process tree; a crashed
 * browser is replaced; browsers retire after K pages or M minutes (Chromium grows); and
 * nothing it started outlives it, not even on process exit. It receives the driver instance and
 * never imports Playwright or Selenium.
 */
import type { Browser, BrowserDriver, BrowserPage, LaunchOptions } from './browser-driver.js';
import { killBrowserPidNow, trackBrowserPid, untrackBrowserPid } from './browser-pool-exit.js';
import { GuardedPage } from './browser-pool-guard.js';
import { abortError, withTimeout } from './deadline.js';
import {
  AbortedError,
  DriverCrashError,
  describeError,
  MissingDependencyError,
  TimeoutError,
} from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { PageLease } from './site-adapter.js';

export interface BrowserPoolOptions {
  driver: BrowserDriver;
  /** Browsers (default 1). With a one-page-per-browser driver (selenium) the pool starts `size × pagesPerBrowser` of them. */
  size?: number;
  /** Pages open at once in one browser (default 2). */
  pagesPerBrowser?: number;
  /** Retire a browser after it has opened this many pages (default 100). */
  maxPagesPerBrowser?: number;
  /** Retire a browser this long after its launch (default 30 min). */
  maxBrowserAgeMs?: number;
  /** Deadline for opening a page and for page operations without one (url, cookies); default 30 s. */
  opTimeoutMs?: number;
  /** How long a page or browser close may take before the browser is killed (default 5 s). */
  closeTimeoutMs?: number;
  /** Extra time a driver gets past an operation's deadline before the page counts as stuck (default 2 s). */
  graceMs?: number;
  launch?: LaunchOptions;
  logger?: Logger;
}

export interface BrowserPoolStats {
  /** Browsers running or starting. */
  browsers: number;
  /** Pages leased out now. */
  leased: number;
  /** Pages that may be leased at once. */
  capacity: number;
  /** Leases waiting for a free page. */
  waiting: number;
  /** Leases handed out so far. */
  leases: number;
  launched: number;
  /** Browsers closed after K pages or M minutes. */
  retired: number;
  /** Browsers found dead or crashed and dropped. */
  replaced: number;
  /** Browsers killed because a close hung. */
  killed: number;
  /** Page operations that passed their deadline. */
  timedOut: number;
  /** Pages whose driver ignored a deadline (the guard gave up waiting) or whose close hung. */
  stuckPages: number;
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

type EntryState = 'launching' | 'ready' | 'retiring' | 'dead';

interface Entry {
  id: number;
  state: EntryState;
  ready: Promise<Browser>;
  browser?: Browser;
  launchedAt: number;
  /** Pages opened over its life (K counts these). */
  opened: number;
  /** Pages open or being opened now. */
  open: number;
  /** newPage timeouts in a row: one can be a starved CPU, two mean a wedged browser. */
  slowOpens: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export function createBrowserPool(options: BrowserPoolOptions): BrowserPool {
  const driver = options.driver;
  const log = options.logger ?? silentLogger;
  const size = Math.max(1, options.size ?? 1);
  const pagesPerBrowser = Math.max(1, options.pagesPerBrowser ?? 2);
  const perBrowser = Math.min(pagesPerBrowser, Math.max(1, driver.maxOpenPages ?? Number.POSITIVE_INFINITY));
  const capacity = size * pagesPerBrowser;
  const maxPages = Math.max(1, options.maxPagesPerBrowser ?? 100);
  const maxAgeMs = options.maxBrowserAgeMs ?? 30 * 60_000;
  const opTimeoutMs = options.opTimeoutMs ?? 30_000;
  const closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
  const graceMs = options.graceMs ?? 2_000;

  const entries: Entry[] = [];
  const shutdowns = new Set<Promise<void>>();
  const waiters: Waiter[] = [];
  let inUse = 0;
  let nextId = 1;
  let closed = false;
  let closing: Promise<void> | undefined;
  let missing: MissingDependencyError | undefined;
  const counts = { leases: 0, launched: 0, retired: 0, replaced: 0, killed: 0, timedOut: 0, stuckPages: 0 };

  // ---- page slots: at most `capacity` leases at once, first come first served ----

  function acquireSlot(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (inUse < capacity && waiters.length === 0) {
      inUse++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(abortError(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      waiters.push(waiter);
    });
  }

  function releaseSlot(): void {
    const next = waiters.shift();
    if (!next) {
      inUse--;
      return;
    }
    if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
    next.resolve(); // the slot passes straight to the next waiter
  }

  // ---- browsers ----

  function launchEntry(): Entry {
    const entry: Entry = {
      id: nextId++,
      state: 'launching',
      ready: undefined as unknown as Promise<Browser>,
      launchedAt: Date.now(),
      opened: 0,
      slowOpens: 0,
      open: 0,
    };
    entry.ready = driver.launch(options.launch ?? {}).then(
      (browser) => {
        entry.browser = browser;
        entry.launchedAt = Date.now();
        trackBrowserPid(browser.pid);
        counts.launched++;
        if (entry.state === 'launching') entry.state = 'ready';
        log.debug('browser launched', { driver: driver.name, browser: entry.id, pid: browser.pid });
        return browser;
      },
      (error: unknown) => {
        entry.state = 'dead';
        remove(entry);
        if (error instanceof MissingDependencyError) missing = error;
        log.warn('browser launch failed', { driver: driver.name, error: describeError(error) });
        throw error;
      },
    );
    entry.ready.catch(() => undefined);
    entries.push(entry);
    return entry;
  }

  function remove(entry: Entry): void {
    const index = entries.indexOf(entry);
    if (index >= 0) entries.splice(index, 1);
  }

  function alive(entry: Entry): boolean {
    return entry.state !== 'dead' && entry.browser !== undefined && entry.browser.isConnected();
  }

  /** Kill the browser's process tree; falls back to SIGKILL of its group if kill() misbehaves. */
  async function kill(browser: Browser): Promise<void> {
    try {
      await withTimeout(browser.kill(), closeTimeoutMs, 'browser kill');
    } catch {
      killBrowserPidNow(browser.pid);
    }
  }

  /** Take a browser out of service: close it gracefully (killing it if that hangs) or kill it. */
  function shutdown(entry: Entry, how: 'close' | 'kill', why: string): Promise<void> {
    if (entry.state === 'dead' && !entry.browser) return Promise.resolve();
    entry.state = 'dead';
    remove(entry);
    const browser = entry.browser;
    entry.browser = undefined;
    if (!browser) return Promise.resolve();
    const done = (async () => {
      if (how === 'close') {
        try {
          await withTimeout(browser.close(), closeTimeoutMs, 'browser close');
        } catch (error) {
          counts.killed++;
          log.warn('browser close hung; killing its process tree', {
            browser: entry.id,
            pid: browser.pid,
            error: describeError(error),
          });
          await kill(browser);
        }
      } else {
        await kill(browser);
      }
      untrackBrowserPid(browser.pid);
      log.debug('browser gone', { browser: entry.id, pid: browser.pid, why });
    })();
    shutdowns.add(done);
    void done.finally(() => shutdowns.delete(done));
    return done;
  }

  function replace(entry: Entry, why: string): Promise<void> {
    if (entry.state === 'dead') return Promise.resolve();
    counts.replaced++;
    log.warn('browser crashed; replacing it', { browser: entry.id, pid: entry.browser?.pid, why });
    return shutdown(entry, 'kill', why);
  }

  function retire(entry: Entry, why: string): void {
    if (entry.state !== 'ready') return;
    entry.state = 'retiring';
    counts.retired++;
    log.debug('browser retiring', { browser: entry.id, why });
    if (entry.open === 0) void shutdown(entry, 'close', why);
  }

  function retireOld(): void {
    const now = Date.now();
    for (const entry of [...entries]) {
      if (entry.state === 'ready' && now - entry.launchedAt >= maxAgeMs) retire(entry, 'age');
    }
  }

  /** A browser with a free tab, launching one when none has room; reserves the tab. */
  async function pick(): Promise<Entry> {
    for (;;) {
      if (closed) throw new AbortedError('the browser pool is closed');
      retireOld();
      const entry =
        entries.find((e) => e.state === 'ready' && e.open < perBrowser) ??
        entries.find((e) => e.state === 'launching' && e.open < perBrowser) ??
        launchEntry();
      entry.open++;
      try {
        await entry.ready;
      } catch (error) {
        entry.open--;
        throw error;
      }
      if (alive(entry) && entry.state === 'ready') return entry;
      entry.open--;
      if (entry.state === 'ready' || entry.state === 'retiring') {
        if (entry.browser && !entry.browser.isConnected()) await replace(entry, 'found dead');
      }
    }
  }

  // ---- leases ----

  async function openPage(entry: Entry, signal?: AbortSignal): Promise<BrowserPage> {
    const browser = entry.browser!;
    const opening = browser.newPage({ timeoutMs: opTimeoutMs });
    try {
      const page = await withTimeout(opening, opTimeoutMs + graceMs, 'newPage', signal);
      entry.slowOpens = 0;
      return page;
    } catch (error) {
      // A page that arrives after we stopped waiting would never be closed otherwise.
      opening.then((page) => page.close().catch(() => undefined)).catch(() => undefined);
      if (signal?.aborted) throw error;
      const why = describeError(error);
      // Replacing a browser on a starved machine makes it worse (a launch is the costliest thing
      // a browser does): a connected browser gets a second chance before it is replaced.
      if (error instanceof TimeoutError && browser.isConnected() && ++entry.slowOpens < 2) {
        log.warn('opening a page timed out; the browser gets one more chance', { browser: entry.id });
        throw new TimeoutError(`could not open a page within ${opTimeoutMs} ms`, { cause: error });
      }
      if (error instanceof DriverCrashError || error instanceof TimeoutError || !browser.isConnected()) {
        await replace(entry, `newPage failed: ${why}`);
        throw error instanceof DriverCrashError
          ? error
          : new DriverCrashError(`could not open a page (${why}); the browser was replaced`, {
              cause: error,
            });
      }
      throw error;
    }
  }

  function makeLease(entry: Entry, page: BrowserPage): PageLease {
    let pageClosing: Promise<void> | undefined;
    let releasing: Promise<void> | undefined;

    /** Close the page once; a close that hangs means the browser is wedged: kill it. */
    const closePage = (): Promise<void> => {
      pageClosing ??= (async () => {
        if (!alive(entry)) return;
        try {
          await withTimeout(page.close(), closeTimeoutMs, 'page close');
        } catch (error) {
          if (error instanceof TimeoutError) {
            counts.stuckPages++;
            counts.killed++;
            log.warn('page close hung; killing the browser', { browser: entry.id, pid: entry.browser?.pid });
            await shutdown(entry, 'kill', 'page close hung');
          } else if (!alive(entry)) {
            await replace(entry, `page close failed: ${describeError(error)}`);
          }
        }
      })();
      return pageClosing;
    };

    const release = (): Promise<void> => {
      releasing ??= (async () => {
        guarded.poison(new AbortedError('the page lease was released'));
        try {
          await closePage();
        } finally {
          entry.open--;
          releaseSlot();
          if (entry.state === 'retiring' && entry.open === 0) void shutdown(entry, 'close', 'retired');
          retireOld();
        }
      })();
      return releasing;
    };

    const guarded = new GuardedPage(page, {
      opTimeoutMs,
      graceMs,
      browserAlive: () => alive(entry),
      onTimeout: (op, stuck, closing = true) => {
        counts.timedOut++;
        if (!closing) return;
        if (stuck) counts.stuckPages++;
        log.warn(
          stuck ? 'page stuck past its deadline; closing it' : 'page operation timed out; closing the page',
          {
            browser: entry.id,
            op,
          },
        );
        void closePage();
      },
      onCrash: (op, error) => {
        void replace(entry, `${op}: ${error.message}`);
      },
      onClose: release,
    });
    return { page: guarded, release };
  }

  async function lease(signal?: AbortSignal): Promise<PageLease> {
    if (closed) throw new AbortedError('the browser pool is closed');
    if (missing) throw missing;
    await acquireSlot(signal);
    let entry: Entry | undefined;
    try {
      entry = await pick();
      const page = await openPage(entry, signal);
      entry.opened++;
      counts.leases++;
      if (entry.opened >= maxPages) retire(entry, `${maxPages} pages`);
      return makeLease(entry, page);
    } catch (error) {
      if (entry) {
        entry.open--;
        if (entry.state === 'retiring' && entry.open === 0) void shutdown(entry, 'close', 'retired');
      }
      releaseSlot();
      throw error;
    }
  }

  async function close(): Promise<void> {
    closing ??= (async () => {
      closed = true;
      for (const waiter of waiters.splice(0)) {
        if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.reject(new AbortedError('the browser pool is closed'));
      }
      await Promise.allSettled(entries.map((e) => e.ready));
      await Promise.all([...entries].map((e) => shutdown(e, 'close', 'pool closed')));
      await Promise.all([...shutdowns]);
    })();
    return closing;
  }

  return {
    lease,
    get available() {
      return !closed && !missing;
    },
    stats: () => ({
      browsers: entries.filter((e) => e.state !== 'dead').length,
      leased: inUse,
      capacity,
      waiting: waiters.length,
      ...counts,
      pids: entries.map((e) => e.browser?.pid).filter((pid): pid is number => pid !== undefined),
    }),
    close,
  };
}
