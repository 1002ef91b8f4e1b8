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
import { type NextButtonState, PREPARE_NEXT_CLICK_SCRIPT } from './overlays.js';
import { type LegacyListPage, parseLegacyList } from './parse-legacy.js';
import type { CsdnUrls } from './urls.js';

export interface LegacyBrowserOptions {
  /** Deadline of one browser operation. */
  timeoutMs: number;
  /** How long a click may take to change the URL. */
  pagerTimeoutMs: number;
  clickAttempts: number;
  maxPages: number;
  pollMs?: number;
}

const NEXT = 'li.js-page-next';

/**
 * Walk the legacy list by clicking 下一页, as a person would: the click loads the next page by
 * script, so success is judged only by the URL changing. Overlays are hidden before each click
 * and an intercepted click means "hide and retry". The walk ends on a disabled or absent pager,
 * an empty page, or the page count from listTotal/pageSize; it never waits without a deadline.
 * On failure the page is snapshotted and the path attached to the error.
 */
export async function walkLegacyBrowser(
  id: string,
  urls: CsdnUrls,
  context: CrawlContext,
  options: LegacyBrowserOptions,
): Promise<LegacyWalkResult> {
  const lease = await context.page();
  const { page } = lease;
  try {
    return await walk(id, page, urls, context, options);
  } catch (error) {
    const crawlError =
      error instanceof CrawlError
        ? error
        : new ParseError(`legacy walk of ${id} failed: ${String(error)}`, { cause: error });
    if (!crawlError.snapshot && !(crawlError instanceof AbortedError)) {
      crawlError.snapshot = await context
        .snapshot({ page, error: crawlError, label: 'legacy-pager' })
        .catch(() => undefined);
    }
    throw crawlError;
  } finally {
    await lease.release();
  }
}

async function walk(
  id: string,
  page: BrowserPage,
  urls: CsdnUrls,
  context: CrawlContext,
  options: LegacyBrowserOptions,
): Promise<LegacyWalkResult> {
  const deadline = { timeoutMs: options.timeoutMs };
  const pollMs = options.pollMs ?? 50;
  const collector = new ArticleCollector();
  await page.goto(urls.legacyList(id, 1), deadline);
  let current = await readPage(page, id, 1, options, pollMs);
  const pageSize = current.vars.pageSize;
  let listTotal = current.vars.listTotal;
  let pageCount = current.pageCount;
  let n = 1;
  for (;;) {
    if (context.signal.aborted) throw new AbortedError(`legacy walk of ${id} stopped`);
    const added = collector.addPage(current.articles);
    if (current.vars.listTotal !== undefined) {
      listTotal = current.vars.listTotal;
      pageCount = current.pageCount;
    }
    if (
      current.articles.length === 0 ||
      (pageCount !== undefined && n >= pageCount) ||
      (n > 1 && added === 0)
    )
      break;
    if (n >= options.maxPages)
      throw new ParseError(`legacy list of ${id} did not end after ${options.maxPages} pages`);
    const moved = await clickNext(page, options, pollMs, context);
    if (!moved) {
      if (pageCount !== undefined && n < pageCount) {
        throw new ParseError(
          `legacy pager of ${id} stopped at page ${n} of ${pageCount} (listTotal ${listTotal}, pageSize ${pageSize})`,
        );
      }
      break;
    }
    n++;
    current = await readPage(page, id, n, options, pollMs);
  }
  // Articles published during the walk sit at the head, and every page after shows the grown
  // listTotal: read from page 1 again until a page holds a known article.
  let fresh = 0;
  if (listTotal !== undefined && collector.size < listTotal && n > 1) {
    await page.goto(urls.legacyList(id, 1), deadline);
    fresh = await catchUpHead(
      collector,
      async (k) => {
        if (k > 1 && !(await clickNext(page, options, pollMs, context))) return [];
        return (await readPage(page, id, k, options, pollMs)).articles;
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

/** Read the page once its inline `currentPage` says it is page `n` (the script may still be loading it). */
async function readPage(
  page: BrowserPage,
  id: string,
  n: number,
  options: LegacyBrowserOptions,
  pollMs: number,
): Promise<LegacyListPage> {
  const until = Date.now() + options.timeoutMs;
  for (;;) {
    let at: number | undefined;
    try {
      const html = await page.content({ timeoutMs: Math.max(1000, until - Date.now()) });
      const parsed = parseLegacyList(html, id);
      at = parsed.vars.currentPage;
      if (at === n || (at === undefined && parsed.articles.length > 0)) return parsed;
    } catch (error) {
      // Reading while the script-driven navigation swaps documents can fail: read again.
      if (error instanceof DriverCrashError || error instanceof ParseError) throw error;
    }
    if (Date.now() >= until) {
      throw new TimeoutError(`legacy page ${n} of ${id} did not load (page says ${String(at)})`);
    }
    await sleep(pollMs);
  }
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
        timeoutMs: options.timeoutMs,
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
