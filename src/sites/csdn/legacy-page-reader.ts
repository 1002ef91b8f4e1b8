import type { BrowserPage, DocumentResponse } from '../../core/browser-driver.js';
import { sleep } from '../../core/deadline.js';
import { AbortedError, DriverCrashError, ParseError, TimeoutError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type LegacyListPage, parseLegacyList } from './parse-legacy.js';

export interface LegacyPageReaderOptions {
  /** Deadline of one browser operation, and of one page's loading. */
  timeoutMs: number;
  /** Deadline of one goto of a list page: a server that sends nothing costs this, then a new page. */
  loadTimeoutMs: number;
  pollMs: number;
  /**
   * A document still loading whose content has not changed for this long is taken as broken:
   * a connection reset mid-body leaves Chromium's document loading forever.
   */
  stallMs: number;
  /** Reloads of one broken page before the walk gives up on it. */
  pageRetries: number;
  /** First wait before a reload; doubled per reload of the same page (a Retry-After wins). */
  retryBaseMs: number;
  /** Longest wait before one reload, Retry-After included. */
  maxRetryWaitMs: number;
}

/** A list page still broken after every reload (not a page the pool took away). */
export class BrokenPageError extends TimeoutError {}

/** A list page read whole, or why the document shown is not that page. */
export type ShownPage =
  | { ok: true; page: LegacyListPage }
  | { ok: false; reason: string; retryAfterMs?: number };

/** A document the browser shows under an HTTP URL (a failed load shows chrome-error://…). */
function isWebUrl(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://');
}

/**
 * Errors that end the use of this page: a dead browser, a stop, and a timeout (an operation that
 * overran its deadline, which a pool answers by closing the page; the walk then goes on in a
 * new page, see walkLegacyBrowser).
 */
function fatal(error: unknown): boolean {
  return error instanceof DriverCrashError || error instanceof AbortedError || error instanceof TimeoutError;
}

async function responseOf(page: BrowserPage, timeoutMs: number): Promise<DocumentResponse> {
  if (!page.documentResponse) return { status: null };
  try {
    return await page.documentResponse({ timeoutMs });
  } catch (error) {
    if (fatal(error)) throw error;
    return { status: null };
  }
}

/**
 * Judge the document shown as list page `n` of `id` by its structure: it is that page once its
 * own inline `var currentPage` says `n`. A document that has finished loading and is not that
 * page (an error page, a 429, a blank or cut document, a stale copy of another page, the
 * browser's own error page after a reset) is reported at once, not waited on; a document still
 * loading is read again until the deadline.
 */
export async function readShownPage(
  page: BrowserPage,
  id: string,
  n: number,
  options: Pick<LegacyPageReaderOptions, 'timeoutMs' | 'loadTimeoutMs' | 'pollMs' | 'stallMs'>,
): Promise<ShownPage> {
  const until = Date.now() + options.timeoutMs;
  let last = 'nothing read';
  let seen: string | undefined;
  let seenSince = Date.now();
  for (;;) {
    // A read of a live document answers in milliseconds: one that takes longer than a page load
    // is a wedged page, which the pool then closes, and the walk goes on in a new one.
    const left = () => Math.max(1000, Math.min(options.loadTimeoutMs, until - Date.now()));
    // readyState first: when it says complete, the content read after it is the whole document.
    let ready: unknown;
    try {
      ready = await page.evaluate<string>('document.readyState', { timeoutMs: left() });
    } catch (error) {
      if (fatal(error)) throw error;
    }
    let html: string | undefined;
    try {
      html = await page.content({ timeoutMs: left() });
    } catch (error) {
      // Reading while the script-driven navigation swaps documents can fail: read again.
      if (fatal(error)) throw error;
    }
    if (html !== undefined) {
      try {
        const parsed = parseLegacyList(html, id);
        const at = parsed.vars.currentPage;
        if (at === n) return { ok: true, page: parsed };
        last = at === undefined ? 'no currentPage' : `the page says currentPage ${at}`;
      } catch (error) {
        // a document cut short (a reset mid-body) can hold half an item
        if (!(error instanceof ParseError)) throw error;
        last = `unreadable: ${error.message}`;
      }
      const url = await page.url().catch((error: unknown) => {
        if (fatal(error)) throw error;
        return '';
      });
      if (html !== seen) {
        seen = html;
        seenSince = Date.now();
      }
      const settled = ready === 'complete' || (url !== '' && !isWebUrl(url));
      const stalled = Date.now() - seenSince >= options.stallMs;
      const response = await responseOf(page, left());
      if (settled || stalled || response.failed) {
        const status = response.status === null ? '' : ` (HTTP ${response.status})`;
        const how = settled ? '' : response.failed ? ', the response failed' : ', stalled';
        return { ok: false, reason: `${last}${status}${how}`, retryAfterMs: response.retryAfterMs };
      }
    }
    if (Date.now() >= until) return { ok: false, reason: `did not load: ${last}` };
    await sleep(options.pollMs);
  }
}

/** Wait before reload `attempt` (1-based): the server's Retry-After, else doubling from the base, ±20 %. */
export function reloadWait(
  attempt: number,
  retryAfterMs: number | undefined,
  options: Pick<LegacyPageReaderOptions, 'retryBaseMs' | 'maxRetryWaitMs'>,
): number {
  const base = retryAfterMs ?? options.retryBaseMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
  return Math.min(options.maxRetryWaitMs, Math.max(0, Math.round(base)));
}

/**
 * Load list page `n` by its URL until it is that page, with a backoff between reloads. With
 * `broken` (the page as shown failed already) every attempt is a reload; without it the first
 * goto is the plain first visit. Throws a TimeoutError naming the last reason after
 * `pageRetries` reloads.
 */
export async function loadListPage(
  page: BrowserPage,
  url: string,
  id: string,
  n: number,
  options: LegacyPageReaderOptions,
  signal: AbortSignal,
  log: Logger,
  broken?: { reason: string; retryAfterMs?: number },
): Promise<LegacyListPage> {
  let reason = broken?.reason ?? '';
  let retryAfterMs = broken?.retryAfterMs;
  const reloads = options.pageRetries;
  for (let attempt = broken ? 1 : 0; attempt <= reloads; attempt++) {
    if (attempt > 0) {
      const wait = reloadWait(attempt, retryAfterMs, options);
      log.info('legacy list page broken; reloading it', { id, page: n, attempt, reason, waitMs: wait });
      await sleep(wait, signal);
    }
    retryAfterMs = undefined;
    let response: DocumentResponse;
    try {
      response = await page.goto(url, { timeoutMs: options.loadTimeoutMs });
    } catch (error) {
      if (fatal(error)) throw error;
      reason = error instanceof Error ? error.message : String(error);
      continue;
    }
    if (response.status !== null && response.status !== 200) {
      reason = `HTTP ${response.status}`;
      retryAfterMs = response.retryAfterMs;
      continue;
    }
    const shown = await readShownPage(page, id, n, options);
    if (shown.ok) return shown.page;
    reason = shown.reason;
    retryAfterMs = shown.retryAfterMs;
  }
  throw new BrokenPageError(`legacy page ${n} of ${id} still broken after ${reloads} reloads (${reason})`);
}
