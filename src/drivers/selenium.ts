import type { ChromiumWebDriver } from 'selenium-webdriver/chromium.js';
import type { BrowserDriver, BrowserPage, Deadline, LaunchOptions } from '../core/browser-driver.js';
import { DriverCrashError } from '../core/errors.js';
import { ChromiumBrowser } from './chromium-browser.js';
import { withDeadline } from './chromium-deadline.js';
import { findChromedriver } from './chromium-find.js';
import { FAVICON_URLS } from './chromium-flags.js';
import { chromiumDriver } from './chromium-launch.js';
import { isAlive, listProcs, type SpawnedProcess } from './chromium-process.js';
import { missingPackage, SELENIUM_PACKAGE } from './driver-packages.js';
import { mapSeleniumError } from './selenium-errors.js';
import { SeleniumPage } from './selenium-page.js';

type SeleniumModules = {
  webdriver: typeof import('selenium-webdriver');
  chrome: typeof import('selenium-webdriver/chrome.js');
  http: typeof import('selenium-webdriver/http.js');
};

export interface SeleniumDriverOptions extends LaunchOptions {
  /** Deadline for operations without one in the interface: url, cookies, setCookies, page close (default 10 s). */
  defaultTimeoutMs?: number;
  /** WebDriver page-load strategy (default 'eager': goto returns at DOMContentLoaded, like the playwright driver). */
  pageLoadStrategy?: 'normal' | 'eager' | 'none';
}

// A directory module: ESM needs the file name, and its typings live under another name.
const HTTP_MODULE = 'selenium-webdriver/http/index.js';

async function loadSelenium(): Promise<SeleniumModules> {
  // Selenium Manager would otherwise try to download a driver; we only ever use the system one.
  process.env.SE_OFFLINE = 'true';
  try {
    const [webdriver, chrome, http] = await Promise.all([
      import('selenium-webdriver'),
      import('selenium-webdriver/chrome.js'),
      import(HTTP_MODULE) as Promise<typeof import('selenium-webdriver/http.js')>,
    ]);
    return { webdriver, chrome, http };
  } catch (error) {
    throw missingPackage(SELENIUM_PACKAGE, error);
  }
}

/**
 * Chromium driven through the system chromedriver (the only choice on ARM boards, where
 * Playwright ships no browser builds but the distribution packages chromedriver). We start
 * chromedriver ourselves in its own process group so that killing that group also kills the
 * Chromium it started. One page per browser: see SeleniumPage.
 */
export function seleniumDriver(driverOptions: SeleniumDriverOptions = {}): BrowserDriver {
  return chromiumDriver<SeleniumDriverOptions, SeleniumModules>(
    {
      name: 'selenium',
      maxOpenPages: 1,
      load: loadSelenium,
      async start(chromium, se, options) {
        const chromedriver = findChromedriver(options.driverPath);
        const proc = await chromium.spawn(chromedriver, ['--port=0'], {
          ready: /started successfully on port (\d+)/,
          what: `chromedriver (${chromedriver})`,
        });
        const chromeOptions = new se.chrome.Options();
        chromeOptions.setChromeBinaryPath(chromium.executable);
        chromeOptions.addArguments(...chromium.flags);
        chromeOptions.setPageLoadStrategy(options.pageLoadStrategy ?? 'eager');
        const executor = new se.http.Executor(new se.http.HttpClient(`http://127.0.0.1:${proc.match[1]}`));
        const driver = se.chrome.Driver.createSession(chromeOptions, executor);
        await withDeadline('start a Chromium session', chromium.left(), driver.getSession());
        await withDeadline('start a Chromium session', chromium.left(), blockFavicon(driver));
        return new SeleniumBrowser(proc, driver, chromium.profile, se, options.defaultTimeoutMs ?? 10_000);
      },
      mapError: (error, timeoutMs) =>
        mapSeleniumError(error, { what: 'launch', timeoutMs, gone: () => false }),
    },
    driverOptions,
  );
}

/** Chromium asks every page's host for /favicon.ico: a request at the site that earns nothing. */
async function blockFavicon(driver: ChromiumWebDriver): Promise<void> {
  await driver.sendDevToolsCommand('Network.enable', {});
  await driver.sendDevToolsCommand('Network.setBlockedURLs', { urls: [...FAVICON_URLS] });
}

class SeleniumBrowser extends ChromiumBrowser {
  private pageOpen = false;
  /** The Chromium main process chromedriver started, watched to notice a crash at once. */
  private readonly chromiumPid: number | undefined;

  constructor(
    proc: SpawnedProcess,
    private readonly driver: ChromiumWebDriver,
    profile: string,
    private readonly se: SeleniumModules,
    private readonly defaultTimeoutMs: number,
  ) {
    super(proc, profile);
    this.chromiumPid = listProcs().find((p) => p.ppid === proc.pid && p.state !== 'Z')?.pid;
  }

  get raw(): ChromiumWebDriver {
    return this.driver;
  }

  /** chromedriver is the spawned process; Chromium, its child, must be alive too. */
  protected libraryConnected(): boolean {
    return this.chromiumPid === undefined || isAlive(this.chromiumPid);
  }

  async newPage({ timeoutMs }: Deadline): Promise<BrowserPage> {
    if (!this.isConnected()) throw new DriverCrashError('newPage: browser or chromedriver is gone');
    if (this.pageOpen) {
      throw new Error(
        'a selenium browser has one page at a time: close it first (the pool launches more browsers)',
      );
    }
    // Proves the session answers before the page is handed out.
    await withDeadline('newPage', timeoutMs, this.driver.getWindowHandle()).catch((error: unknown) => {
      throw mapSeleniumError(error, { what: 'newPage', timeoutMs, gone: () => !this.isConnected() });
    });
    this.pageOpen = true;
    return new SeleniumPage(this.driver, {
      defaultTimeoutMs: this.defaultTimeoutMs,
      browserGone: () => !this.isConnected(),
      onClose: () => {
        this.pageOpen = false;
      },
      byCss: (selector) => this.se.webdriver.By.css(selector),
    });
  }

  /** quit() ends the session and Chromium; hangs if chromedriver is wedged. */
  protected async quit(): Promise<void> {
    await this.driver.quit().catch(() => undefined);
  }
}
