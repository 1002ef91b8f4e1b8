/**
 * What an adapter gets for one attempt at one user (`CrawlContext`): the polite HTTP client bound
 * to the attempt's signal, browser pages leased from the pool (and all given back when the attempt
 * ends), a logger naming the user, `snapshot()` for evidence, and the discovery and graph settings.
 */
import { linkedSignal, withTimeout } from '../deadline.js';
import { AbortedError, MissingDependencyError } from '../errors.js';
import type { HttpClient } from '../http-client.js';
import type { Logger } from '../logger.js';
import { type PagePacer, politePage } from '../polite-page.js';
import type { CrawlContext, DiscoveryOptions, GraphOptions, PageLease } from '../site-adapter.js';
import type { Snapshotter } from '../snapshots.js';
import { childLogger } from './loggers.js';
import type { BrowserMode, PagePool } from './types.js';

export interface CrawlContextDeps {
  http: HttpClient;
  /** The host budget browser loads take their starts from (the HTTP client's). */
  pacer?: PagePacer;
  browserMode: BrowserMode;
  pagePool: PagePool | undefined;
  /** The longest wait for a page from the pool. */
  pageWaitMs: number;
  snapshots: Pick<Snapshotter, 'save'>;
  discovery: DiscoveryOptions;
  graph: GraphOptions;
  log: Logger;
}

/** The pages one attempt leased; `close()` gives them all back and refuses late ones. */
export interface AttemptPages {
  readonly leased: readonly PageLease[];
  close(): Promise<void>;
}

const PAGE_RELEASE_TIMEOUT_MS = 10_000;

export interface CrawlContexts {
  /** A context for one attempt; the attempt must `close()` the pages when it is over. */
  open(id: string, signal: AbortSignal): { context: CrawlContext; pages: AttemptPages };
}

/** The lease with its page's loads on the host budget (polite-page.ts). */
function pacedLease(lease: PageLease, pacer: PagePacer, signal: AbortSignal): PageLease {
  const polite = politePage(lease.page, pacer, signal);
  return {
    page: polite.page,
    release: () => {
      polite.dispose();
      return lease.release();
    },
  };
}

export function createCrawlContexts(deps: CrawlContextDeps): CrawlContexts {
  const { http, browserMode } = deps;

  async function leasePage(signal: AbortSignal): Promise<PageLease> {
    if (browserMode === 'never') {
      throw new MissingDependencyError('this user needs a browser, but browser use is off', {
        hint: 'set browser mode to "when-needed" and configure a browser driver',
      });
    }
    const pool = deps.pagePool;
    if (!pool?.available) {
      throw new MissingDependencyError('this user needs a browser, but none is available', {
        hint: 'install playwright-core or selenium-webdriver and Chromium, then configure the browser driver',
      });
    }
    const leasing = pool.lease(signal);
    try {
      return await withTimeout(leasing, deps.pageWaitMs, 'waiting for a browser page', signal);
    } catch (error) {
      // A page that arrives after we stopped waiting must still go back to the pool.
      leasing.then((late) => late.release()).catch(() => {});
      throw error;
    }
  }

  return {
    open(id, signal) {
      const leased: PageLease[] = [];
      let closed = false;
      const userHttp: HttpClient = {
        get: (url, request = {}) => {
          // Adapters mostly pass the attempt's own signal (or none): nothing to link then, which
          // spares an AbortController and two listeners per request.
          if (request.signal === undefined || request.signal === signal)
            return http.get(url, { ...request, signal });
          const link = linkedSignal([signal, request.signal]);
          return http.get(url, { ...request, signal: link.signal }).finally(() => link.dispose());
        },
        setCookies: (host, cookies) => http.setCookies(host, cookies),
        clearCookies: (host) => http.clearCookies(host),
      };
      const context: CrawlContext = {
        http: userHttp,
        get canUseBrowser() {
          return browserMode !== 'never' && deps.pagePool?.available === true;
        },
        page: async () => {
          const lease = await leasePage(signal);
          if (closed) {
            // The attempt is over (an adapter that ignored its signal): no page may outlive it.
            await lease.release().catch(() => {});
            throw new AbortedError('the attempt at this user is over');
          }
          const paced = deps.pacer ? pacedLease(lease, deps.pacer, signal) : lease;
          leased.push(paced);
          return paced;
        },
        signal,
        log: childLogger(deps.log, { user: id }),
        snapshot: (input) => deps.snapshots.save(id, input),
        discovery: deps.discovery,
        graph: deps.graph,
        browserMode,
      };
      const pages: AttemptPages = {
        leased,
        async close() {
          closed = true;
          await Promise.allSettled(
            leased.map((p) => withTimeout(p.release(), PAGE_RELEASE_TIMEOUT_MS, 'page release')),
          );
        },
      };
      return { context, pages };
    },
  };
}
