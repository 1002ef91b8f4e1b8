import type { ChromiumWebDriver } from 'selenium-webdriver/chromium.js';
import type { BrowserPage, Cookie, Deadline, DocumentResponse } from '../core/browser-driver.js';
import { TimeoutError } from '../core/errors.js';
import {
  msLeft,
  type PageOperationGuard,
  runPageOperation,
  sleep,
  withDeadline,
} from './chromium-deadline.js';
import { CLEAR_PAGE_SCRIPT, LEAVE_PAGE_SCRIPT, RECYCLE_TIMEOUT_MS } from './chromium-recycle.js';
import { mapSeleniumError } from './selenium-errors.js';

export interface SeleniumPageSettings {
  defaultTimeoutMs: number;
  /** True once chromedriver or Chromium has died. */
  browserGone: () => boolean;
  /** Called once when the page is closed, so the browser can hand out its window again. */
  onClose: () => void;
  /** The `By` factory of the loaded selenium-webdriver module. */
  byCss: (selector: string) => unknown;
}

/** Extra time over a deadline given to chromedriver's own timer before ours fires. */
const GRACE_MS = 500;
const POLL_MS = 100;

/** WebDriver does not report the status; the Navigation Timing entry does (Chromium 109+). */
const STATUS_SCRIPT =
  "const n = performance.getEntriesByType('navigation')[0]; return n && n.responseStatus ? n.responseStatus : null;";

/** Same rule as Playwright's "visible": a non-empty box and not visibility:hidden. */
const VISIBLE_CHECK = `
  const el = document.querySelector(arguments[0]);
  if (!el) return 'missing';
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' ? 'visible' : 'hidden';
`;

/**
 * The one window of a Selenium session. WebDriver runs one command at a time per session and
 * a navigation blocks the session, so tabs would only queue behind each other: one page per
 * browser, and the pool starts more browsers instead.
 */
export class SeleniumPage implements BrowserPage {
  private closed = false;
  private pageLoadMs = -1;
  private scriptMs = -1;

  constructor(
    private readonly driver: ChromiumWebDriver,
    private readonly settings: SeleniumPageSettings,
  ) {}

  get raw(): ChromiumWebDriver {
    return this.driver;
  }

  private gone = (): boolean => this.settings.browserGone();

  private readonly guard: PageOperationGuard = {
    closed: () => this.closed,
    gone: () => this.gone(),
    goneWhat: 'browser or chromedriver',
    graceMs: GRACE_MS,
    mapError: mapSeleniumError,
  };

  /** Run one operation under its deadline and translate its failure. */
  private run<T>(what: string, timeoutMs: number, work: () => Promise<T>, selector?: string): Promise<T> {
    return runPageOperation(this.guard, what, timeoutMs, work, selector);
  }

  /** Set WebDriver's own timeouts only when they change: each call is a round trip. */
  private async timeouts(pageLoad?: number, script?: number): Promise<void> {
    const wanted: { pageLoad?: number; script?: number } = {};
    if (pageLoad !== undefined && pageLoad !== this.pageLoadMs) wanted.pageLoad = pageLoad;
    if (script !== undefined && script !== this.scriptMs) wanted.script = script;
    if (wanted.pageLoad === undefined && wanted.script === undefined) return;
    await this.driver.manage().setTimeouts(wanted);
    if (wanted.pageLoad !== undefined) this.pageLoadMs = wanted.pageLoad;
    if (wanted.script !== undefined) this.scriptMs = wanted.script;
  }

  goto(url: string, { timeoutMs }: Deadline): Promise<DocumentResponse> {
    const end = Date.now() + timeoutMs;
    return this.run(`goto ${url}`, timeoutMs, async () => {
      await this.timeouts(Math.max(1, Math.floor(timeoutMs)));
      await this.driver.get(url);
      const status = await withDeadline(
        'read status',
        Math.max(1, msLeft(end)),
        this.driver.executeScript<unknown>(STATUS_SCRIPT),
      );
      return { status: typeof status === 'number' ? status : null };
    });
  }

  /** The status of the document shown, from its Navigation Timing entry (no headers: no Retry-After). */
  documentResponse({ timeoutMs }: Deadline): Promise<DocumentResponse> {
    return this.run('documentResponse', timeoutMs, async () => {
      const status = await this.driver.executeScript<unknown>(STATUS_SCRIPT);
      return { status: typeof status === 'number' ? status : null };
    });
  }

  async url(): Promise<string> {
    return this.run('url', this.settings.defaultTimeoutMs, () => this.driver.getCurrentUrl());
  }

  content({ timeoutMs }: Deadline): Promise<string> {
    return this.run('content', timeoutMs, () => this.driver.getPageSource());
  }

  /**
   * Wait (by polling) until the element is visible, then click once. Selenium does not retry an
   * intercepted click: ElementClickInterceptedError comes back at once and becomes ours.
   */
  click(selector: string, { timeoutMs }: Deadline): Promise<void> {
    const end = Date.now() + timeoutMs;
    const what = `click ${selector}`;
    return this.run(
      what,
      timeoutMs,
      async () => {
        for (;;) {
          const state = await this.driver.executeScript<string>(VISIBLE_CHECK, selector);
          if (state === 'visible') {
            try {
              // biome-ignore lint/suspicious/noExplicitAny: By comes from the lazily loaded module
              await this.driver.findElement(this.settings.byCss(selector) as any).click();
              return;
            } catch (error) {
              const name = error instanceof Error ? error.name : '';
              // The element moved or was replaced between the check and the click: check again.
              if (name !== 'StaleElementReferenceError' && name !== 'ElementNotInteractableError')
                throw error;
            }
          }
          if (msLeft(end) <= POLL_MS)
            throw new TimeoutError(`${what}: no clickable element within ${timeoutMs} ms`);
          await sleep(POLL_MS);
        }
      },
      selector,
    );
  }

  async waitForSelector(selector: string, options: Deadline & { visible?: boolean }): Promise<boolean> {
    const end = Date.now() + options.timeoutMs;
    return this.run(`wait for ${selector}`, options.timeoutMs, async () => {
      for (;;) {
        const state = await this.driver.executeScript<string>(VISIBLE_CHECK, selector);
        if (state === 'visible' || (state === 'hidden' && !options.visible)) return true;
        if (msLeft(end) <= 0) return false;
        await sleep(Math.min(POLL_MS, msLeft(end)));
      }
    });
  }

  /** The expression's value, awaited when it is a promise (as Playwright does). */
  evaluate<T = unknown>(expression: string, { timeoutMs }: Deadline): Promise<T> {
    const body = expression.trim().replace(/;+$/, '');
    const script = `
      const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${body})).then(
        (value) => done({ ok: true, value: value === undefined ? null : value }),
        (error) => done({ ok: false, error: String(error && error.stack || error) }),
      );`;
    return this.run('evaluate', timeoutMs, async () => {
      await this.timeouts(undefined, Math.max(1, Math.floor(timeoutMs)));
      const result = await this.driver.executeAsyncScript<{ ok: boolean; value?: T; error?: string }>(script);
      if (!result.ok) throw new Error(`evaluate: the expression threw: ${result.error}`);
      return result.value as T;
    });
  }

  /** All cookies of the session (like Playwright's context), not only the current document's. */
  async cookies(): Promise<Cookie[]> {
    return this.run('cookies', this.settings.defaultTimeoutMs, async () => {
      const result = (await this.driver.sendAndGetDevToolsCommand(
        'Network.getAllCookies',
        {},
      )) as unknown as {
        cookies: Array<Record<string, unknown>>;
      };
      return (result?.cookies ?? []).map((c) => ({
        name: String(c.name),
        value: String(c.value),
        domain: c.domain as string | undefined,
        path: c.path as string | undefined,
        expires: typeof c.expires === 'number' && c.expires > 0 ? c.expires : undefined,
        httpOnly: Boolean(c.httpOnly),
        secure: Boolean(c.secure),
      }));
    });
  }

  /** Through CDP, so cookies can be set before the first visit to `url` (WebDriver cannot). */
  async setCookies(cookies: Cookie[], url: string): Promise<void> {
    const items = cookies.map((c) => ({
      name: c.name,
      value: c.value,
      ...(c.domain ? { domain: c.domain, path: c.path ?? '/' } : { url }),
      ...(c.expires === undefined ? {} : { expires: c.expires }),
      ...(c.httpOnly === undefined ? {} : { httpOnly: c.httpOnly }),
      ...(c.secure === undefined ? {} : { secure: c.secure }),
    }));
    await this.run('setCookies', this.settings.defaultTimeoutMs, () =>
      this.driver.sendDevToolsCommand('Network.setCookies', { cookies: items }),
    );
  }

  async screenshot({ timeoutMs }: Deadline): Promise<Uint8Array> {
    const base64 = await this.run('screenshot', timeoutMs, () => this.driver.takeScreenshot());
    return new Uint8Array(Buffer.from(base64, 'base64'));
  }

  /** True when the page left itself for about:blank within RECYCLE_TIMEOUT_MS. */
  private async leaveInPlace(): Promise<boolean> {
    try {
      await this.driver.executeScript(`${CLEAR_PAGE_SCRIPT};${LEAVE_PAGE_SCRIPT}`);
      const end = Date.now() + RECYCLE_TIMEOUT_MS;
      while (Date.now() < end) {
        if ((await this.driver.getCurrentUrl()) === 'about:blank') return true;
        await sleep(20);
      }
    } catch {
      // A page that refuses scripts is left the plain way.
    }
    return false;
  }

  /**
   * Leave the window blank and cookie-free for the next lease (closing the session's last
   * window would end the session), in the same renderer process and with its garbage collected
   * (see chromium-recycle.ts). Hangs if the session is stuck: callers race it.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.gone()) {
        await this.timeouts(this.settings.defaultTimeoutMs);
        if (!(await this.leaveInPlace())) await this.driver.get('about:blank');
        await this.driver.sendDevToolsCommand('HeapProfiler.collectGarbage', {});
        await this.driver.sendDevToolsCommand('Network.clearBrowserCookies', {});
      }
    } catch {
      // A dead session has nothing left to clean; the browser's own checks report the crash.
    } finally {
      this.settings.onClose();
    }
  }
}
