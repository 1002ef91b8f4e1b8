import type { Browser as PwBrowser } from 'playwright-core';
import type { BrowserDriver, BrowserPage, Deadline, LaunchOptions } from '../core/browser-driver.js';
import { DriverCrashError } from '../core/errors.js';
import { ChromiumBrowser } from './chromium-browser.js';
import { withDeadline } from './chromium-deadline.js';
import { FAVICON_URLS } from './chromium-flags.js';
import { chromiumDriver } from './chromium-launch.js';
import type { SpawnedProcess } from './chromium-process.js';
import { CLEAR_PAGE_SCRIPT, MAX_IDLE_TABS, RECYCLE_TIMEOUT_MS } from './chromium-recycle.js';
import { missingPackage, PLAYWRIGHT_PACKAGE } from './driver-packages.js';
import { mapPlaywrightError } from './playwright-errors.js';
import {
  openedTab,
  PlaywrightPage,
  type PlaywrightPageSettings,
  type PlaywrightTab,
} from './playwright-page.js';

type PlaywrightModule = typeof import('playwright-core');

export interface PlaywrightDriverOptions extends LaunchOptions {
  /**
   * Each click attempt may wait this long for the element to become clickable before an
   * interception is reported (default 1000 ms). Keeps an overlay from eating the whole deadline.
   */
  clickAttemptMs?: number;
  /** Deadline for operations without one in the interface: url, cookies, setCookies (default 10 s). */
  defaultTimeoutMs?: number;
  /** What goto waits for (default 'domcontentloaded': scripts have run, images may still load). */
  waitUntil?: 'load' | 'domcontentloaded' | 'commit';
  /** Load Playwright some other way (the full `playwright` package, a test double). */
  loadModule?: () => Promise<PlaywrightModule>;
}

async function loadPlaywright(options: PlaywrightDriverOptions): Promise<PlaywrightModule> {
  try {
    return options.loadModule ? await options.loadModule() : await import('playwright-core');
  } catch (error) {
    throw missingPackage(PLAYWRIGHT_PACKAGE, error);
  }
}

/**
 * Chromium driven over CDP by playwright-core. We start Chromium ourselves (in its own process
 * group, with a throwaway profile) and connect to it, so we always know its pid and can kill
 * the whole tree; Playwright's own launcher hides the process and keeps its own profile dir.
 * Every page has its own browser context, kept and cleaned between leases (see recycle):
 * cookies and storage never leak from one lease to the next.
 */
export function playwrightDriver(driverOptions: PlaywrightDriverOptions = {}): BrowserDriver {
  return chromiumDriver<PlaywrightDriverOptions, PlaywrightModule>(
    {
      name: 'playwright',
      load: loadPlaywright,
      async start(chromium, pw, options) {
        const proc = await chromium.spawn(
          chromium.executable,
          [
            ...chromium.flags,
            '--remote-debugging-port=0',
            // No first tab: every page lives in a context of its own, and an idle blank tab costs
            // a renderer process (~50 MB).
            '--no-startup-window',
          ],
          { ready: /DevTools listening on (ws:\/\/\S+)/, what: `Chromium (${chromium.executable})` },
        );
        const left = chromium.left();
        const browser = await withDeadline(
          'connect to Chromium',
          left,
          pw.chromium.connectOverCDP(proc.match[1], { timeout: left }),
        );
        return new PlaywrightBrowser(proc, browser, chromium.profile, {
          clickAttemptMs: options.clickAttemptMs ?? 1000,
          defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
          waitUntil: options.waitUntil ?? 'domcontentloaded',
        });
      },
    },
    driverOptions,
  );
}

class PlaywrightBrowser extends ChromiumBrowser {
  private readonly idle: PlaywrightTab[] = [];
  private readonly pageSettings: PlaywrightPageSettings;

  constructor(
    proc: SpawnedProcess,
    private readonly browser: PwBrowser,
    profile: string,
    settings: Omit<PlaywrightPageSettings, 'browserGone'>,
  ) {
    super(proc, profile);
    this.pageSettings = {
      ...settings,
      browserGone: () => !this.isConnected(),
      recycle: (tab) => this.recycle(tab),
    };
  }

  /**
   * Keep a closed page's tab for the next newPage(), cleaned as a new context would be: loads
   * stopped, timers cleared (no navigation the old page scheduled can land in the next lease),
   * storage and cookies cleared, the document emptied (garbage: see openedTab). The URL stays
   * until the next lease's first goto: leaving for about:blank would cost a navigation per user.
   * A tab that cannot be cleaned quickly is closed instead. Twice as fast as a new context per
   * lease, and no bigger.
   */
  private async recycle(tab: PlaywrightTab): Promise<boolean> {
    if (this.idle.length >= MAX_IDLE_TABS || tab.crashed || tab.page.isClosed()) return false;
    try {
      await withDeadline(
        'clean the tab',
        RECYCLE_TIMEOUT_MS,
        (async () => {
          await tab.page.evaluate(CLEAR_PAGE_SCRIPT);
          await tab.context.clearCookies();
        })(),
      );
    } catch {
      return false;
    }
    if (!this.isConnected() || this.idle.length >= MAX_IDLE_TABS) return false;
    this.idle.push(tab);
    return true;
  }

  get raw(): PwBrowser {
    return this.browser;
  }

  protected libraryConnected(): boolean {
    return this.browser.isConnected();
  }

  async newPage({ timeoutMs }: Deadline): Promise<BrowserPage> {
    if (!this.isConnected()) throw new DriverCrashError('newPage: browser is gone');
    const open = async () => {
      for (let tab = this.idle.pop(); tab; tab = this.idle.pop()) {
        // A kept tab is handed out only once its renderer answers, as a new one would have to.
        const answers =
          !tab.crashed &&
          !tab.page.isClosed() &&
          (await tab.page.evaluate('1').then(
            () => true,
            () => false,
          ));
        if (answers) return new PlaywrightPage(tab, this.pageSettings);
        void tab.context.close().catch(() => undefined);
      }
      const context = await this.browser.newContext();
      try {
        const page = await context.newPage();
        // Chromium asks every page's host for /favicon.ico: a request at the site that earns nothing.
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.setBlockedURLs', { urls: [...FAVICON_URLS] });
        return new PlaywrightPage(openedTab(page, context), this.pageSettings);
      } catch (error) {
        await context.close().catch(() => undefined);
        throw error;
      }
    };
    try {
      return await withDeadline('newPage', timeoutMs, open());
    } catch (error) {
      throw mapPlaywrightError(error, { what: 'newPage', timeoutMs, gone: () => !this.isConnected() });
    }
  }

  /** Asks Chromium to quit and waits for it to exit. */
  protected async quit(): Promise<void> {
    try {
      const session = await this.browser.newBrowserCDPSession();
      await session.send('Browser.close');
    } catch {
      // The connection drops as Chromium quits; the exit below is what counts.
    }
    await this.proc.exited;
  }

  protected override async disconnect(): Promise<void> {
    // Disconnecting a dead CDP socket is quick, but never let it hold up a kill.
    await withDeadline('disconnect', 1000, this.browser.close()).catch(() => undefined);
  }
}
