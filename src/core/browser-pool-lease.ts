/**
 * Page leasing: opening a page in a picked browser (a slow or failed open decides whether the
 * browser is replaced) and the lease around it, whose release closes the page, killing the
 * browser when that close hangs.
 */
import type { BrowserPage } from './browser-driver.js';
import type { BrowserEntry, BrowserFleet } from './browser-pool-fleet.js';
import { GuardedPage } from './browser-pool-guard.js';
import { withTimeout } from './deadline.js';
import { AbortedError, DriverCrashError, describeError, TimeoutError } from './errors.js';
import type { PageLease } from './site-adapter.js';

export interface LeaseTimings {
  opTimeoutMs: number;
  closeTimeoutMs: number;
  graceMs: number;
}

export async function openPage(
  fleet: BrowserFleet,
  entry: BrowserEntry,
  { opTimeoutMs, graceMs }: LeaseTimings,
  signal?: AbortSignal,
): Promise<BrowserPage> {
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
      fleet.log.warn('opening a page timed out; the browser gets one more chance', { browser: entry.id });
      throw new TimeoutError(`could not open a page within ${opTimeoutMs} ms`, { cause: error });
    }
    if (error instanceof DriverCrashError || error instanceof TimeoutError || !browser.isConnected()) {
      await fleet.replace(entry, `newPage failed: ${why}`);
      throw error instanceof DriverCrashError
        ? error
        : new DriverCrashError(`could not open a page (${why}); the browser was replaced`, {
            cause: error,
          });
    }
    throw error;
  }
}

/** The lease for `page`; `onReleased` runs once, after the page is closed (or given up). */
export function makeLease(
  fleet: BrowserFleet,
  entry: BrowserEntry,
  page: BrowserPage,
  { opTimeoutMs, graceMs, closeTimeoutMs }: LeaseTimings,
  onReleased: () => void,
): PageLease {
  const { counts, log } = fleet;
  let pageClosing: Promise<void> | undefined;
  let releasing: Promise<void> | undefined;

  /** Close the page once; a close that hangs means the browser is wedged: kill it. */
  const closePage = (): Promise<void> => {
    pageClosing ??= (async () => {
      if (!fleet.alive(entry)) return;
      try {
        await withTimeout(page.close(), closeTimeoutMs, 'page close');
      } catch (error) {
        if (error instanceof TimeoutError) {
          counts.stuckPages++;
          counts.killed++;
          log.warn('page close hung; killing the browser', { browser: entry.id, pid: entry.browser?.pid });
          await fleet.shutdown(entry, 'kill', 'page close hung');
        } else if (!fleet.alive(entry)) {
          await fleet.replace(entry, `page close failed: ${describeError(error)}`);
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
        onReleased();
      }
    })();
    return releasing;
  };

  const guarded = new GuardedPage(page, {
    opTimeoutMs,
    graceMs,
    browserAlive: () => fleet.alive(entry),
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
      void fleet.replace(entry, `${op}: ${error.message}`);
    },
    onClose: release,
  });
  return { page: guarded, release };
}
