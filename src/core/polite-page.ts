/**
 * A leased browser page whose loads earn their place like HTTP requests: a browser load is a
 * request at the site too, so without this a legacy walk or a challenge pass went around the
 * host's rate, the fleet's budget and a Retry-After hold. Each `goto` and each `click` (a
 * script-driven pager loads the next list page) waits for a start on the host's budget; what
 * the driver saw of the document (a 429 and its Retry-After, a 403 wall) is judged like an HTTP
 * answer (`PagePacer`, built by `politeHttp`), as it arrives when the driver can tell
 * (`onDocument`), else from what `goto` and `documentResponse` return.
 */
import type { BrowserPage, Deadline, DocumentResponse } from './browser-driver.js';

export interface PagePacer {
  /** Wait for a start on `host`'s budget; resolves with the function that gives the slot back. */
  acquire(host: string, signal?: AbortSignal): Promise<() => void>;
  /** The document of a load on `host` answered this (holds the host on a 429 or a wall). */
  answered(host: string, response: DocumentResponse): void;
}

export interface PolitePage {
  page: BrowserPage;
  /** Stop listening to the underlying page (it outlives the lease in a driver's tab cache). */
  dispose(): void;
}

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.host : undefined;
  } catch {
    return undefined;
  }
}

export function politePage(page: BrowserPage, pacer: PagePacer, signal: AbortSignal): PolitePage {
  const heard = (url: string, response: DocumentResponse) => {
    const host = hostOf(url);
    if (host !== undefined) pacer.answered(host, response);
  };
  const unsubscribe = page.onDocument?.(heard);
  // Without a listener, judge what the calls return (once each: the listener already heard it).
  const judge = unsubscribe ? () => {} : heard;

  async function paced<T>(host: string | undefined, load: () => Promise<T>): Promise<T> {
    if (host === undefined) return load();
    const release = await pacer.acquire(host, signal);
    try {
      return await load();
    } finally {
      release();
    }
  }
  const documentResponse = page.documentResponse?.bind(page);
  const polite: BrowserPage = {
    goto: (url, deadline) =>
      paced(hostOf(url), async () => {
        const response = await page.goto(url, deadline);
        judge(url, response);
        return response;
      }),
    ...(documentResponse && {
      documentResponse: async (deadline: Deadline) => {
        const response = await documentResponse(deadline);
        judge(await page.url(), response);
        return response;
      },
    }),
    // The click may start a load of the page's own host (a pager); it takes a start like one.
    click: async (selector, deadline) =>
      paced(hostOf(await page.url()), () => page.click(selector, deadline)),
    url: () => page.url(),
    content: (deadline) => page.content(deadline),
    waitForSelector: (selector, options) => page.waitForSelector(selector, options),
    evaluate: <T>(expression: string, deadline: Deadline) => page.evaluate<T>(expression, deadline),
    cookies: () => page.cookies(),
    setCookies: (cookies, url) => page.setCookies(cookies, url),
    screenshot: (deadline) => page.screenshot(deadline),
    close: () => page.close(),
    get raw() {
      return page.raw;
    },
  };
  return { page: polite, dispose: () => unsubscribe?.() };
}
