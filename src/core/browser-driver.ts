/**
 * The browser seen by the core: a few page operations, each with a deadline.
 * Implementations live in src/drivers (playwright, selenium); the core never imports them.
 */

export interface Deadline {
  /** Milliseconds after which the operation fails with a TimeoutError. */
  timeoutMs: number;
}

export interface Cookie {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: number;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface LaunchOptions {
  /** Path of the Chromium binary; found on PATH when omitted. */
  executablePath?: string;
  /** Path of chromedriver (selenium only); found on PATH when omitted. */
  driverPath?: string;
  headless?: boolean;
  /** Extra command-line switches for Chromium. */
  args?: string[];
  /** Deadline for the launch itself. */
  timeoutMs?: number;
}

/** What the driver knows of the response that brought the document now shown. */
export interface DocumentResponse {
  /** HTTP status; null when unknown (a failed load, a driver that cannot tell). */
  status: number | null;
  /** A 429's or 503's Retry-After in milliseconds, when the driver sees headers. */
  retryAfterMs?: number;
  /** True when the driver saw the response fail (a reset mid-body leaves the page loading forever). */
  failed?: boolean;
}

export interface BrowserPage {
  /** Navigate; resolves with the HTTP status of the main document when known. */
  goto(url: string, deadline: Deadline): Promise<DocumentResponse>;
  /**
   * The response of the document now shown, also after a navigation the page made itself (a
   * script-driven pager). Optional: a driver that cannot tell leaves it out.
   */
  documentResponse?(deadline: Deadline): Promise<DocumentResponse>;
  /**
   * Calls `listener` with each main-frame document response as it arrives (a goto's, a pager's),
   * so a 429 holds the host before anything else loads; returns the unsubscribe function.
   * Optional: without it, what `goto` and `documentResponse` return is all that is seen.
   */
  onDocument?(listener: (url: string, response: DocumentResponse) => void): () => void;
  url(): Promise<string>;
  content(deadline: Deadline): Promise<string>;
  /** Click the first element matching `selector`. An intercepted click throws ClickInterceptedError. */
  click(selector: string, deadline: Deadline): Promise<void>;
  /** Resolves true when the selector matched (and is visible when asked), false at the deadline. */
  waitForSelector(selector: string, options: Deadline & { visible?: boolean }): Promise<boolean>;
  /** Run an expression (a string of JavaScript) in the page and return its JSON-serialisable value. */
  evaluate<T = unknown>(expression: string, deadline: Deadline): Promise<T>;
  cookies(): Promise<Cookie[]>;
  setCookies(cookies: Cookie[], url: string): Promise<void>;
  screenshot(deadline: Deadline): Promise<Uint8Array>;
  close(): Promise<void>;
  /** Escape hatch: the underlying Playwright Page or Selenium WebDriver. */
  readonly raw: unknown;
}

export interface Browser {
  /** Process id of the browser (Chromium, or chromedriver for selenium), for killing its tree. */
  readonly pid: number | undefined;
  newPage(deadline: Deadline): Promise<BrowserPage>;
  isConnected(): boolean;
  /** Graceful close; may hang on a wedged browser, so callers race it against kill(). */
  close(): Promise<void>;
  /** Kill the whole process tree. Never hangs, never throws. */
  kill(): Promise<void>;
  readonly raw: unknown;
}

export interface BrowserDriver {
  readonly name: string;
  /**
   * Most pages one browser can have open at once (selenium: 1, since a WebDriver session runs
   * one command at a time); unlimited when omitted. The pool opens more browsers instead.
   */
  readonly maxOpenPages?: number;
  launch(options: LaunchOptions): Promise<Browser>;
}
