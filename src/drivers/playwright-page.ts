import type { BrowserContext, Page } from 'playwright-core';
import type { BrowserPage, Cookie, Deadline, DocumentResponse } from '../core/browser-driver.js';
import { DriverCrashError, TimeoutError } from '../core/errors.js';
import { parseRetryAfter } from '../core/polite-http.js';
import { msLeft, type PageOperationGuard, runPageOperation, sleep } from './chromium-deadline.js';
import { isInterception, mapPlaywrightError } from './playwright-errors.js';

export interface PlaywrightPageSettings {
  /** How long one click attempt may wait for actionability before interception is checked. */
  clickAttemptMs: number;
  /** Deadline for operations the interface gives none (url, cookies). */
  defaultTimeoutMs: number;
  waitUntil: 'load' | 'domcontentloaded' | 'commit';
  /** True once the browser is disconnected or its process has exited. */
  browserGone: () => boolean;
  /** Clean the tab for the next lease and keep it; false when it must be closed instead. */
  recycle?: (tab: PlaywrightTab) => Promise<boolean>;
}

/**
 * A tab and its own browser context. It outlives the PlaywrightPage handed to one lease: the
 * browser keeps cleaned tabs for the next lease, because a new context costs a renderer process.
 */
export interface PlaywrightTab {
  readonly page: Page;
  readonly context: BrowserContext;
  crashed: boolean;
  /** The last main-frame document response (or failure), by URL: a pager navigates by itself. */
  lastDocument?: { url: string } & DocumentResponse;
  /** Who hears of each document response as it arrives (`BrowserPage.onDocument`). */
  readonly documentListeners: Set<(url: string, response: DocumentResponse) => void>;
}

/**
 * A renderer that lives across many pages collects its garbage only under memory pressure,
 * which a big machine never has, so a long walk (or many leases) grows it by megabytes a page:
 * ask for a collection every GC_EVERY_NAVIGATIONS documents.
 */
const GC_EVERY_NAVIGATIONS = 20;

export function openedTab(page: Page, context: BrowserContext): PlaywrightTab {
  const tab: PlaywrightTab = { page, context, crashed: false, documentListeners: new Set() };
  page.on('crash', () => {
    tab.crashed = true;
  });
  page.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    const status = response.status();
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfter(response.headers()['retry-after']) : undefined;
    tab.lastDocument = {
      url: response.url(),
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
    for (const listener of tab.documentListeners) listener(response.url(), tab.lastDocument);
  });
  page.on('requestfailed', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame())
      tab.lastDocument = {
        url: request.url(),
        status: tab.lastDocument?.url === request.url() ? tab.lastDocument.status : null,
        failed: true,
      };
  });
  let navigations = 0;
  let collecting = false;
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame() || ++navigations % GC_EVERY_NAVIGATIONS !== 0 || collecting) return;
    collecting = true;
    void collectGarbage(tab).finally(() => {
      collecting = false;
    });
  });
  return tab;
}

async function collectGarbage(tab: PlaywrightTab): Promise<void> {
  try {
    const cdp = await tab.context.newCDPSession(tab.page);
    await cdp.send('HeapProfiler.collectGarbage').finally(() => cdp.detach().catch(() => undefined));
  } catch {
    // A page closing or navigating away: the next round will do.
  }
}

/** Extra time over a deadline given to Playwright's own timer before ours fires. */
const GRACE_MS = 250;

export class PlaywrightPage implements BrowserPage {
  private closed = false;
  private readonly page: Page;
  private readonly context: BrowserContext;

  constructor(
    private readonly tab: PlaywrightTab,
    private readonly settings: PlaywrightPageSettings,
  ) {
    this.page = tab.page;
    this.context = tab.context;
  }

  get raw(): Page {
    return this.page;
  }

  private gone = (): boolean => this.tab.crashed || this.settings.browserGone();

  private readonly guard: PageOperationGuard = {
    closed: () => this.closed,
    gone: () => this.gone(),
    goneWhat: 'browser or page',
    graceMs: GRACE_MS,
    mapError: mapPlaywrightError,
  };

  /** Run one operation under its deadline and translate its failure. */
  private run<T>(what: string, timeoutMs: number, work: () => Promise<T>, selector?: string): Promise<T> {
    return runPageOperation(this.guard, what, timeoutMs, work, selector);
  }

  async goto(url: string, { timeoutMs }: Deadline): Promise<DocumentResponse> {
    return this.run(`goto ${url}`, timeoutMs, async () => {
      const response = await this.page.goto(url, { timeout: timeoutMs, waitUntil: this.settings.waitUntil });
      if (!response) return { status: null };
      const status = response.status();
      const retryAfterMs =
        status === 429 || status === 503 ? parseRetryAfter(response.headers()['retry-after']) : undefined;
      return retryAfterMs === undefined ? { status } : { status, retryAfterMs };
    });
  }

  onDocument(listener: (url: string, response: DocumentResponse) => void): () => void {
    this.tab.documentListeners.add(listener);
    return () => this.tab.documentListeners.delete(listener);
  }

  /** From the tab's response log, when its URL is the page's (else the document came from elsewhere). */
  async documentResponse(_deadline: Deadline): Promise<DocumentResponse> {
    if (this.gone()) throw new DriverCrashError('documentResponse: browser or page is gone');
    const last = this.tab.lastDocument;
    if (!last || last.url !== this.page.url()) return { status: null };
    const { url: _url, ...response } = last;
    return response;
  }

  async url(): Promise<string> {
    if (this.gone()) throw new DriverCrashError('url: browser or page is gone');
    return this.page.url();
  }

  /** Playwright refuses to read a document being replaced by a navigation: read again until the deadline. */
  content({ timeoutMs }: Deadline): Promise<string> {
    const end = Date.now() + timeoutMs;
    return this.run('content', timeoutMs, async () => {
      for (;;) {
        try {
          return await this.page.content();
        } catch (error) {
          if (!(error instanceof Error) || !/is navigating/.test(error.message) || msLeft(end) < 50)
            throw error;
          await sleep(50);
        }
      }
    });
  }

  /**
   * Playwright retries an intercepted click until its timeout; we give each attempt a short
   * window and report the interception as soon as one attempt names the element in the way.
   */
  async click(selector: string, { timeoutMs }: Deadline): Promise<void> {
    const end = Date.now() + timeoutMs;
    const what = `click ${selector}`;
    const locator = this.page.locator(selector).first();
    await this.run(
      what,
      timeoutMs,
      async () => {
        for (;;) {
          const attempt = Math.max(1, Math.min(msLeft(end), this.settings.clickAttemptMs));
          try {
            await locator.click({ timeout: attempt });
            return;
          } catch (error) {
            if (isInterception(error)) throw error;
            if (!(error instanceof Error) || error.name !== 'TimeoutError') throw error;
            // Never click twice: a second click on a pager skips a page. Once Playwright has
            // dispatched the click, a timeout only means it was waiting for what followed (or
            // was cut short mid-click): report it done and let the caller check the effect.
            if (/performing click action|click action done/.test(error.message)) return;
            if (msLeft(end) <= 0) throw error;
          }
        }
      },
      selector,
    );
  }

  async waitForSelector(selector: string, options: Deadline & { visible?: boolean }): Promise<boolean> {
    const state = options.visible ? 'visible' : 'attached';
    try {
      await this.run(`wait for ${selector}`, options.timeoutMs, () =>
        this.page.locator(selector).first().waitFor({ state, timeout: options.timeoutMs }),
      );
      return true;
    } catch (error) {
      if (error instanceof TimeoutError) return false;
      throw error;
    }
  }

  evaluate<T = unknown>(expression: string, { timeoutMs }: Deadline): Promise<T> {
    return this.run('evaluate', timeoutMs, () => this.page.evaluate(expression) as Promise<T>);
  }

  async cookies(): Promise<Cookie[]> {
    const cookies = await this.run('cookies', this.settings.defaultTimeoutMs, () => this.context.cookies());
    return cookies.map((c) => ({
      name: c.name,
      value: c.value,
      domain: c.domain,
      path: c.path,
      expires: c.expires > 0 ? c.expires : undefined,
      httpOnly: c.httpOnly,
      secure: c.secure,
    }));
  }

  async setCookies(cookies: Cookie[], url: string): Promise<void> {
    const items = cookies.map((c) => {
      const base = {
        name: c.name,
        value: c.value,
        expires: c.expires,
        httpOnly: c.httpOnly,
        secure: c.secure,
      };
      return c.domain ? { ...base, domain: c.domain, path: c.path ?? '/' } : { ...base, url };
    });
    await this.run('setCookies', this.settings.defaultTimeoutMs, () => this.context.addCookies(items));
  }

  async screenshot({ timeoutMs }: Deadline): Promise<Uint8Array> {
    const buffer = await this.run('screenshot', timeoutMs, () =>
      this.page.screenshot({ type: 'png', timeout: timeoutMs }),
    );
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  /**
   * The lease ends: the tab goes back to the browser cleaned (no cookies, no storage, a blank
   * document), or, when it cannot be cleaned, its context is closed with its cookies and storage.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.gone()) return;
    if (this.settings.recycle && (await this.settings.recycle(this.tab).catch(() => false))) return;
    await this.context.close().catch(() => undefined);
  }
}
