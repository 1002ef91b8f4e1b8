/**
 * The pool's browsers over their lives: launch, pick one with a free tab, retire after K pages
 * or M minutes, replace when crashed, and shut down (a close that hangs becomes a kill of the
 * whole process tree). Page leasing lives in browser-pool-lease.ts.
 */
import type { Browser, BrowserDriver, LaunchOptions } from './browser-driver.js';
import { killBrowserPidNow, trackBrowserPid, untrackBrowserPid } from './browser-pool-exit.js';
import { withTimeout } from './deadline.js';
import { AbortedError, describeError, MissingDependencyError } from './errors.js';
import type { Logger } from './logger.js';

type EntryState = 'launching' | 'ready' | 'retiring' | 'dead';

export interface BrowserEntry {
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

/** What stats() reports beyond the live numbers. */
export interface PoolCounts {
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
}

export interface FleetSettings {
  driver: BrowserDriver;
  launch: LaunchOptions;
  /** Pages open at once in one browser (already capped by the driver's maxOpenPages). */
  perBrowser: number;
  maxAgeMs: number;
  closeTimeoutMs: number;
  log: Logger;
}

export class BrowserFleet {
  readonly entries: BrowserEntry[] = [];
  readonly counts: PoolCounts = {
    leases: 0,
    launched: 0,
    retired: 0,
    replaced: 0,
    killed: 0,
    timedOut: 0,
    stuckPages: 0,
  };
  /** Set once the driver cannot start at all: every later lease fails with it. */
  missing?: MissingDependencyError;
  closed = false;
  private readonly shutdowns = new Set<Promise<void>>();
  private nextId = 1;

  constructor(readonly settings: FleetSettings) {}

  get log(): Logger {
    return this.settings.log;
  }

  alive(entry: BrowserEntry): boolean {
    return entry.state !== 'dead' && entry.browser !== undefined && entry.browser.isConnected();
  }

  /** A browser with a free tab, launching one when none has room; reserves the tab. */
  async pick(): Promise<BrowserEntry> {
    const { perBrowser } = this.settings;
    for (;;) {
      if (this.closed) throw new AbortedError('the browser pool is closed');
      this.retireOld();
      const entry =
        this.entries.find((e) => e.state === 'ready' && e.open < perBrowser) ??
        this.entries.find((e) => e.state === 'launching' && e.open < perBrowser) ??
        this.launch();
      entry.open++;
      try {
        await entry.ready;
      } catch (error) {
        entry.open--;
        throw error;
      }
      if (this.alive(entry) && entry.state === 'ready') return entry;
      entry.open--;
      if (entry.state === 'ready' || entry.state === 'retiring') {
        if (entry.browser && !entry.browser.isConnected()) await this.replace(entry, 'found dead');
      }
    }
  }

  /** One of the entry's pages is closed (or never opened): a retiring browser with none left goes. */
  pageDone(entry: BrowserEntry): void {
    entry.open--;
    if (entry.state === 'retiring' && entry.open === 0) void this.shutdown(entry, 'close', 'retired');
  }

  retire(entry: BrowserEntry, why: string): void {
    if (entry.state !== 'ready') return;
    entry.state = 'retiring';
    this.counts.retired++;
    this.log.debug('browser retiring', { browser: entry.id, why });
    if (entry.open === 0) void this.shutdown(entry, 'close', why);
  }

  retireOld(): void {
    const now = Date.now();
    for (const entry of [...this.entries]) {
      if (entry.state === 'ready' && now - entry.launchedAt >= this.settings.maxAgeMs)
        this.retire(entry, 'age');
    }
  }

  replace(entry: BrowserEntry, why: string): Promise<void> {
    if (entry.state === 'dead') return Promise.resolve();
    this.counts.replaced++;
    this.log.warn('browser crashed; replacing it', { browser: entry.id, pid: entry.browser?.pid, why });
    return this.shutdown(entry, 'kill', why);
  }

  /** Take a browser out of service: close it gracefully (killing it if that hangs) or kill it. */
  shutdown(entry: BrowserEntry, how: 'close' | 'kill', why: string): Promise<void> {
    if (entry.state === 'dead' && !entry.browser) return Promise.resolve();
    entry.state = 'dead';
    this.remove(entry);
    const browser = entry.browser;
    entry.browser = undefined;
    if (!browser) return Promise.resolve();
    const done = (async () => {
      if (how === 'close') {
        try {
          await withTimeout(browser.close(), this.settings.closeTimeoutMs, 'browser close');
        } catch (error) {
          this.counts.killed++;
          this.log.warn('browser close hung; killing its process tree', {
            browser: entry.id,
            pid: browser.pid,
            error: describeError(error),
          });
          await this.kill(browser);
        }
      } else {
        await this.kill(browser);
      }
      untrackBrowserPid(browser.pid);
      this.log.debug('browser gone', { browser: entry.id, pid: browser.pid, why });
    })();
    this.shutdowns.add(done);
    void done.finally(() => this.shutdowns.delete(done));
    return done;
  }

  /** Shut every browser down, launches in flight included; resolves when none is left. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.entries.map((e) => e.ready));
    await Promise.all([...this.entries].map((e) => this.shutdown(e, 'close', 'pool closed')));
    await Promise.all([...this.shutdowns]);
  }

  private launch(): BrowserEntry {
    const { driver, log } = this.settings;
    const entry: BrowserEntry = {
      id: this.nextId++,
      state: 'launching',
      ready: undefined as unknown as Promise<Browser>,
      launchedAt: Date.now(),
      opened: 0,
      slowOpens: 0,
      open: 0,
    };
    entry.ready = driver.launch(this.settings.launch).then(
      (browser) => {
        entry.browser = browser;
        entry.launchedAt = Date.now();
        trackBrowserPid(browser.pid);
        this.counts.launched++;
        if (entry.state === 'launching') entry.state = 'ready';
        log.debug('browser launched', { driver: driver.name, browser: entry.id, pid: browser.pid });
        return browser;
      },
      (error: unknown) => {
        entry.state = 'dead';
        this.remove(entry);
        if (error instanceof MissingDependencyError) this.missing = error;
        log.warn('browser launch failed', { driver: driver.name, error: describeError(error) });
        throw error;
      },
    );
    entry.ready.catch(() => undefined);
    this.entries.push(entry);
    return entry;
  }

  private remove(entry: BrowserEntry): void {
    const index = this.entries.indexOf(entry);
    if (index >= 0) this.entries.splice(index, 1);
  }

  /** Kill the browser's process tree; falls back to SIGKILL of its group if kill() misbehaves. */
  private async kill(browser: Browser): Promise<void> {
    try {
      await withTimeout(browser.kill(), this.settings.closeTimeoutMs, 'browser kill');
    } catch {
      killBrowserPidNow(browser.pid);
    }
  }
}
