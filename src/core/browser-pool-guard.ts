/**
 * The runtime wrapper around every page the pool hands out (kysely-style): each operation runs
 * under its deadline even if the driver forgets to honour it, a timed-out operation closes the
 * page, and a dead browser turns every failure into DriverCrashError.
 */
import type { BrowserPage, Cookie, Deadline, DocumentResponse } from './browser-driver.js';
import { AbortedError, type CrawlError, DriverCrashError, TimeoutError } from './errors.js';

export interface PageGuardHooks {
  /** Deadline for operations the interface gives none (url, cookies, setCookies). */
  opTimeoutMs: number;
  /** Time a driver gets past a deadline before the guard stops waiting and calls the page stuck. */
  graceMs: number;
  /** False once the browser has died. */
  browserAlive(): boolean;
  /**
   * An operation timed out; `stuck` = the driver ignored the deadline; `closing` = the page is
   * being given up (the pool closes it).
   */
  onTimeout(op: string, stuck: boolean, closing?: boolean): void;
  /** An operation found the browser dead: the pool replaces it. */
  onCrash(op: string, error: DriverCrashError): void;
  /** The page's user called close(): same as releasing the lease. */
  onClose(): Promise<void>;
}

export class GuardedPage implements BrowserPage {
  private failure?: CrawlError;

  constructor(
    private readonly page: BrowserPage,
    private readonly hooks: PageGuardHooks,
  ) {}

  get raw(): unknown {
    return this.page.raw;
  }

  /** The page this guard wraps (for the pool's own close). */
  get inner(): BrowserPage {
    return this.page;
  }

  /** Why the page is unusable, once it is. */
  get broken(): CrawlError | undefined {
    return this.failure;
  }

  /** Further operations fail with `error` (the lease was released or the page closed). */
  poison(error: CrawlError): void {
    this.failure ??= error;
  }

  private async run<T>(op: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
    if (this.failure) throw this.failure;
    if (!this.hooks.browserAlive()) throw this.crash(op, new DriverCrashError(`${op}: the browser is gone`));
    const limit = timeoutMs + this.hooks.graceMs;
    let stuck = false;
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        stuck = true;
        reject(
          new TimeoutError(`${op} did not return within ${limit} ms (its deadline was ${timeoutMs} ms)`),
        );
      }, limit);
    });
    const running = work();
    // After the backstop fires nobody awaits the driver's promise any more.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, backstop]);
    } catch (error) {
      if (error instanceof DriverCrashError || !this.hooks.browserAlive()) {
        const crash =
          error instanceof DriverCrashError
            ? error
            : new DriverCrashError(`${op}: the browser died (${describe(error)})`, { cause: error });
        throw this.crash(op, crash);
      }
      // A click the driver timed out on only waited for its element: nothing is left running in
      // the page, and adapters retry clicks (after hiding an overlay). Anything else that timed
      // out may still be running (a navigation, a script, a wedged renderer): close the page.
      if (error instanceof TimeoutError && (stuck || op !== 'click')) {
        this.poison(new TimeoutError(`${op} timed out earlier; the page was closed`, { cause: error }));
        this.hooks.onTimeout(op, stuck);
      } else if (error instanceof TimeoutError) {
        this.hooks.onTimeout(op, false, false);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private crash(op: string, error: DriverCrashError): DriverCrashError {
    this.poison(error);
    this.hooks.onCrash(op, error);
    return error;
  }

  goto(url: string, deadline: Deadline): Promise<DocumentResponse> {
    return this.run('goto', deadline.timeoutMs, () => this.page.goto(url, deadline));
  }

  /** Forwarded under the same guard; a driver without it reports an unknown status. */
  documentResponse(deadline: Deadline): Promise<DocumentResponse> {
    const inner = this.page.documentResponse?.bind(this.page);
    if (!inner) return Promise.resolve({ status: null });
    return this.run('documentResponse', deadline.timeoutMs, () => inner(deadline));
  }

  url(): Promise<string> {
    return this.run('url', this.hooks.opTimeoutMs, () => this.page.url());
  }

  content(deadline: Deadline): Promise<string> {
    return this.run('content', deadline.timeoutMs, () => this.page.content(deadline));
  }

  click(selector: string, deadline: Deadline): Promise<void> {
    return this.run('click', deadline.timeoutMs, () => this.page.click(selector, deadline));
  }

  waitForSelector(selector: string, options: Deadline & { visible?: boolean }): Promise<boolean> {
    return this.run('waitForSelector', options.timeoutMs, () => this.page.waitForSelector(selector, options));
  }

  evaluate<T = unknown>(expression: string, deadline: Deadline): Promise<T> {
    return this.run('evaluate', deadline.timeoutMs, () => this.page.evaluate<T>(expression, deadline));
  }

  cookies(): Promise<Cookie[]> {
    return this.run('cookies', this.hooks.opTimeoutMs, () => this.page.cookies());
  }

  setCookies(cookies: Cookie[], url: string): Promise<void> {
    return this.run('setCookies', this.hooks.opTimeoutMs, () => this.page.setCookies(cookies, url));
  }

  screenshot(deadline: Deadline): Promise<Uint8Array> {
    return this.run('screenshot', deadline.timeoutMs, () => this.page.screenshot(deadline));
  }

  /** Closing the page releases its lease. */
  close(): Promise<void> {
    this.poison(new AbortedError('the page was closed'));
    return this.hooks.onClose();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
