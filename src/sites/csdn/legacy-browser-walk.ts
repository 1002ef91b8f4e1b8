import type { BrowserPage } from '../../core/browser-driver.js';
import {
  AbortedError,
  ClickInterceptedError,
  CrawlError,
  DriverCrashError,
  ParseError,
  TimeoutError,
} from '../../core/errors.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { ArticleCollector, catchUpHead } from './article-collector.js';
import type { LegacyWalkResult } from './legacy-http-walk.js';
import {
  BrokenPageError,
  type LegacyPageReaderOptions,
  loadListPage,
  readShownPage,
} from './legacy-page-reader.js';
import { LegacyProgressBook, type LegacyWalkProgress, sameList } from './legacy-walk-progress.js';
import { type NextButtonState, PREPARE_NEXT_CLICK_SCRIPT } from './overlays.js';
import type { LegacyListPage } from './parse-legacy.js';
import type { CsdnUrls } from './urls.js';

export interface LegacyBrowserOptions {
  /** Deadline of one browser operation. */
  timeoutMs: number;
  /** How long a click may take to change the URL. */
  pagerTimeoutMs: number;
  clickAttempts: number;
  maxPages: number;
  pollMs?: number;
  /** Reloads of one broken list page (5xx, 429, reset, blank, wrong page) before giving up. Default 4. */
  pageRetries?: number;
  /** Deadline of loading one list page by its URL (a hung response costs this much). Default timeoutMs. */
  loadTimeoutMs?: number;
  /** First wait before reloading a broken page, doubled per reload; a Retry-After wins. Default 1 s. */
  retryBaseMs?: number;
  /** A document still loading and unchanged this long is broken (a reset mid-body). Default 3 s. */
  stallMs?: number;
  /** Longest wait before one reload. Default 30 s. */
  maxRetryWaitMs?: number;
  /** Where failed walks leave their progress, so a retried user continues (the adapter's). */
  progress?: LegacyProgressBook;
}

const NEXT = 'li.js-page-next';

/** What a walk has read so far: kept for the next attempt of the same user when it fails. */
interface Track {
  collector: ArticleCollector;
  listTotal?: number;
  firstPageIds: string[];
  lastPage: number;
  /** Progress of an earlier attempt, taken but not yet applied (it goes back if this one fails first). */
  earlier?: LegacyWalkProgress;
}

/**
 * Walk the legacy list by clicking 下一页, as a person would: the click loads the next page by
 * script, so success is judged by the URL changing and then by the page's own `currentPage`.
 * Overlays are hidden before each click and an intercepted click means "hide and retry". A page
 * that comes back broken (an error page, a 429, a reset, a blank or stale page) is reloaded by
 * its URL with a backoff and the walk goes on from there; a pager that stops short of the page
 * count gets its page reloaded and one more click. A page lost to the pool (an operation that
 * overran its deadline) or to a dead browser is replaced and the walk goes on from its progress.
 * The walk ends on a disabled or absent pager, an
 * empty page, or the page count from listTotal/pageSize; it never waits without a deadline.
 * A failed walk leaves its progress in `options.progress`: the next attempt of the same user
 * continues from the last good page when page 1 still shows the same list. On failure the page
 * is snapshotted and the path attached to the error.
 */
export async function walkLegacyBrowser(
  id: string,
  urls: CsdnUrls,
  context: CrawlContext,
  options: LegacyBrowserOptions,
): Promise<LegacyWalkResult> {
  // Progress also carries the walk over to a new page when the pool took this one away.
  const withProgress = { ...options, progress: options.progress ?? new LegacyProgressBook(1) };
  for (let renewal = 0; ; renewal++) {
    try {
      return await walkInOnePage(id, urls, context, withProgress, renewal < PAGE_RENEWALS);
    } catch (error) {
      if (!(renewal < PAGE_RENEWALS && pageLost(error)) || context.signal.aborted) throw error;
      context.log.info('legacy walk lost its page; going on in a new one', {
        id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/**
 * New pages a walk may take after losing one: a pool closes a page whose operation overran its
 * deadline (a navigation that hung) and replaces a dead browser.
 */
const PAGE_RENEWALS = 3;

function pageLost(error: unknown): boolean {
  return (
    error instanceof DriverCrashError ||
    (error instanceof TimeoutError && !(error instanceof BrokenPageError))
  );
}

async function walkInOnePage(
  id: string,
  urls: CsdnUrls,
  context: CrawlContext,
  options: LegacyBrowserOptions,
  canRenew: boolean,
): Promise<LegacyWalkResult> {
  const lease = await context.page();
  const { page } = lease;
  const track: Track = { collector: new ArticleCollector(), firstPageIds: [], lastPage: 0 };
  try {
    return await walk(id, page, urls, context, options, track);
  } catch (error) {
    if (!(error instanceof AbortedError)) {
      const progress =
        track.lastPage > 1
          ? {
              listTotal: track.listTotal,
              firstPageIds: track.firstPageIds,
              lastPage: track.lastPage,
              articles: track.collector.list(),
            }
          : track.earlier;
      if (progress) options.progress?.put(id, progress);
    }
    const crawlError =
      error instanceof CrawlError
        ? error
        : new ParseError(`legacy walk of ${id} failed: ${String(error)}`, { cause: error });
    if (
      !crawlError.snapshot &&
      !(crawlError instanceof AbortedError) &&
      !(canRenew && pageLost(crawlError))
    ) {
      crawlError.snapshot = await context
        .snapshot({ page, error: crawlError, label: 'legacy-pager' })
        .catch(() => undefined);
    }
    throw crawlError;
  } finally {
    await lease.release();
  }
}

function readerOptions(options: LegacyBrowserOptions): LegacyPageReaderOptions {
  return {
    timeoutMs: options.timeoutMs,
    loadTimeoutMs: options.loadTimeoutMs ?? options.timeoutMs,
    pollMs: options.pollMs ?? 50,
    stallMs: options.stallMs ?? 3_000,
    pageRetries: options.pageRetries ?? 4,
    retryBaseMs: options.retryBaseMs ?? 1_000,
    maxRetryWaitMs: options.maxRetryWaitMs ?? 30_000,
  };
}

async function walk(
  id: string,
  page: BrowserPage,
  urls: CsdnUrls,
  context: CrawlContext,
  options: LegacyBrowserOptions,
  track: Track,
): Promise<LegacyWalkResult> {
  const reader = readerOptions(options);
  const load = (n: number, broken?: { reason: string; retryAfterMs?: number }) =>
    loadListPage(page, urls.legacyList(id, n), id, n, reader, context.signal, context.log, broken);
  /**
   * The next page by 下一页; undefined at the end. A pager that stops short of the page count
   * (its navigation hung, its script broke) gets one more chance on page n reloaded by its URL.
   */
  const next = async (n: number, pageCount: number | undefined): Promise<LegacyListPage | undefined> => {
    if (!(await clickNext(page, options, reader.pollMs, context))) {
      if (pageCount === undefined || n >= pageCount) return undefined;
      context.log.info('legacy pager did not move; reloading the page and clicking again', { id, page: n });
      await load(n);
      if (!(await clickNext(page, options, reader.pollMs, context))) {
        throw new ParseError(
          `legacy pager of ${id} stopped at page ${n} of ${pageCount} (listTotal ${track.listTotal})`,
        );
      }
    }
    const shown = await readShownPage(page, id, n + 1, reader);
    return shown.ok ? shown.page : load(n + 1, shown);
  };
  const collector = track.collector;
  const earlier = options.progress?.take(id);
  track.earlier = earlier;
  let current = await load(1);
  const pageSize = current.vars.pageSize;
  let listTotal = current.vars.listTotal;
  let pageCount = current.pageCount;
  track.listTotal = listTotal;
  track.firstPageIds = current.articles.map((a) => a.articleId);
  let n = 1;
  let resumedAt = 0;
  // a list that shifted since (published, removed) starts over: the earlier progress is dropped
  track.earlier = undefined;
  if (earlier && sameList(earlier, listTotal, track.firstPageIds) && earlier.lastPage > 1) {
    context.log.info('legacy walk continues where the last attempt stopped', { id, page: earlier.lastPage });
    collector.addPage(earlier.articles);
    n = resumedAt = earlier.lastPage;
    track.lastPage = n;
    current = await load(n);
  }
  for (;;) {
    if (context.signal.aborted) throw new AbortedError(`legacy walk of ${id} stopped`);
    const added = collector.addPage(current.articles);
    track.lastPage = n;
    if (current.vars.listTotal !== undefined) {
      listTotal = current.vars.listTotal;
      pageCount = current.pageCount;
    }
    if (
      current.articles.length === 0 ||
      (pageCount !== undefined && n >= pageCount) ||
      (n > 1 && added === 0 && n !== resumedAt)
    )
      break;
    if (n >= options.maxPages)
      throw new ParseError(`legacy list of ${id} did not end after ${options.maxPages} pages`);
    const following = await next(n, pageCount);
    if (!following) break;
    n++;
    current = following;
  }
  // Articles published during the walk sit at the head, and every page after shows the grown
  // listTotal: read from page 1 again until a page holds a known article.
  let fresh = 0;
  if (listTotal !== undefined && collector.size < listTotal && n > 1) {
    let shown = await load(1);
    fresh = await catchUpHead(
      collector,
      async (k) => {
        if (k > 1) {
          const following = await next(k - 1, undefined);
          if (!following) return [];
          shown = following;
        }
        return shown.articles;
      },
      pageSize,
      options.maxPages,
    );
    if (fresh > 0) context.log.info('articles published during the walk', { id, fresh });
  }
  if (listTotal !== undefined && collector.size !== listTotal) {
    context.log.warn('legacy list count differs from listTotal', { id, listed: collector.size, listTotal });
  }
  return { articles: collector.list(), listTotal, pageSize, pages: n, publishedDuringWalk: fresh };
}

/**
 * Click 下一页 and wait for the URL to change. False when the pager is absent or disabled
 * (the end), or when the URL did not change after every attempt.
 */
async function clickNext(
  page: BrowserPage,
  options: LegacyBrowserOptions,
  pollMs: number,
  context: CrawlContext,
): Promise<boolean> {
  // The pager is filled by script after load: give it a moment before judging it absent.
  const present = await page.waitForSelector(NEXT, { timeoutMs: Math.min(options.pagerTimeoutMs, 5_000) });
  if (!present) return false;
  const before = await page.url();
  for (let attempt = 1; attempt <= options.clickAttempts; attempt++) {
    // A click reported as failed may still have landed late: clicking again would skip a page.
    if (attempt > 1 && (await page.url()) !== before) return true;
    let next: NextButtonState | undefined;
    try {
      next = await page.evaluate<NextButtonState>(PREPARE_NEXT_CLICK_SCRIPT, {
        timeoutMs: options.loadTimeoutMs ?? options.timeoutMs,
      });
    } catch (error) {
      if (error instanceof DriverCrashError || error instanceof AbortedError) throw error;
      // The document is being replaced: a late navigation from the previous click landed.
      if ((await page.url()) !== before) return true;
      context.log.debug('could not read the pager or hide overlays', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (next === 'absent' || next === 'disabled') return false;
    try {
      await page.click(NEXT, { timeoutMs: options.pagerTimeoutMs });
    } catch (error) {
      // Intercepted (an overlay), timed out, stale or not interactable (the pager was being
      // rebuilt): hide overlays and try again. Only a dead browser or a stop ends the walk here.
      if (error instanceof DriverCrashError || error instanceof AbortedError) throw error;
      context.log.debug('click on 下一页 did not land; hiding overlays and retrying', {
        attempt,
        intercepted: error instanceof ClickInterceptedError,
        error: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    if (await urlChanged(page, before, options.pagerTimeoutMs, pollMs)) return true;
    context.log.debug('下一页 clicked but the URL did not change', { attempt, url: before });
  }
  return false;
}

async function urlChanged(
  page: BrowserPage,
  before: string,
  timeoutMs: number,
  pollMs: number,
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.url()) !== before) return true;
    if (Date.now() >= until) return false;
    await sleep(pollMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
