import type { ChromiumWebDriver } from 'selenium-webdriver/chromium.js';
import type { Browser, BrowserDriver, BrowserPage, Deadline, LaunchOptions } from '../core/browser-driver.js';
import { DriverCrashError, MissingDependencyError } from '../core/errors.js';
import { msLeft, withDeadline } from './chromium-deadline.js';
import { findChromedriver, findChromium } from './chromium-find.js';
import { chromiumFlags } from './chromium-flags.js';
import { isAlive, killTree, listProcs, type SpawnedProcess, spawnUntilReady } from './chromium-process.js';
import { makeProfileDir, removeProfileDir } from './chromium-profile.js';
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

const DEFAULT_LAUNCH_TIMEOUT_MS = 30_000;
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
    throw new MissingDependencyError('selenium-webdriver is not installed', {
      cause: error,
      hint: 'npm i selenium-webdriver@4.35, and apt-get install -y chromium-driver',
    });
  }
}

/**
 * Chromium driven through the system chromedriver (the only choice on ARM boards, where
 * Playwright ships no browser builds but the distribution packages chromedriver). We start
 * chromedriver ourselves in its own process group so that killing that group also kills the
 * Chromium it started. One page per browser: see SeleniumPage.
 */
export function seleniumDriver(driverOptions: SeleniumDriverOptions = {}): BrowserDriver {
  return {
    name: 'selenium',
    maxOpenPages: 1,
    async launch(launchOptions: LaunchOptions = {}): Promise<Browser> {
      const options = { ...driverOptions, ...stripUndefined(launchOptions) };
      const se = await loadSelenium();
      const executable = findChromium(options.executablePath);
      const chromedriver = findChromedriver(options.driverPath);
      const timeoutMs = options.timeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS;
      const end = Date.now() + timeoutMs;
      const profile = await makeProfileDir();
      let proc: SpawnedProcess | undefined;
      try {
        proc = await spawnUntilReady(chromedriver, ['--port=0'], {
          ready: /started successfully on port (\d+)/,
          timeoutMs,
          what: `chromedriver (${chromedriver})`,
        });
        const chromeOptions = new se.chrome.Options();
        chromeOptions.setChromeBinaryPath(executable);
        chromeOptions.addArguments(
          ...chromiumFlags({ headless: options.headless, userDataDir: profile, args: options.args }),
        );
        chromeOptions.setPageLoadStrategy(options.pageLoadStrategy ?? 'eager');
        const executor = new se.http.Executor(new se.http.HttpClient(`http://127.0.0.1:${proc.match[1]}`));
        const driver = se.chrome.Driver.createSession(chromeOptions, executor);
        await withDeadline('start a Chromium session', msLeft(end), driver.getSession());
        return new SeleniumBrowser(proc, driver, profile, se, options.defaultTimeoutMs ?? 10_000);
      } catch (error) {
        await killTree(proc?.pid, proc?.tag);
        await removeProfileDir(profile);
        throw mapSeleniumError(error, { what: 'launch', timeoutMs, gone: () => false });
      }
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

class SeleniumBrowser implements Browser {
  private pageOpen = false;
  private killed = false;
  private closing?: Promise<void>;
  /** The Chromium main process chromedriver started, watched to notice a crash at once. */
  private readonly chromiumPid: number | undefined;

  constructor(
    private readonly proc: SpawnedProcess,
    private readonly driver: ChromiumWebDriver,
    private readonly profile: string,
    private readonly se: SeleniumModules,
    private readonly defaultTimeoutMs: number,
  ) {
    this.chromiumPid = listProcs().find((p) => p.ppid === proc.pid && p.state !== 'Z')?.pid;
  }

  /** chromedriver's pid: its process group holds Chromium too. */
  get pid(): number {
    return this.proc.pid;
  }

  get raw(): ChromiumWebDriver {
    return this.driver;
  }

  isConnected(): boolean {
    return (
      !this.killed &&
      !this.proc.hasExited() &&
      isAlive(this.proc.pid) &&
      (this.chromiumPid === undefined || isAlive(this.chromiumPid))
    );
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

  /** quit() ends the session and Chromium; hangs if chromedriver is wedged (race it with kill()). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.isConnected()) await this.driver.quit().catch(() => undefined);
      await this.cleanUp();
    })();
    return this.closing;
  }

  async kill(): Promise<void> {
    this.killed = true;
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    await killTree(this.proc.pid, this.proc.tag);
    await removeProfileDir(this.profile);
  }
}
