import { ConfigError, NotFoundError, ParseError } from '../../core/errors.js';
import type { Profile, UserResult } from '../../core/model.js';
import type { CrawlContext, SiteAdapter } from '../../core/site-adapter.js';
import { type ApiWalkResult, walkApiArticles } from './api-walk.js';
import { ChallengeGate } from './challenge-gate.js';
import { readUserList } from './discovery.js';
import { walkLegacyBrowser } from './legacy-browser-walk.js';
import { walkLegacyHttp } from './legacy-http-walk.js';
import { normalizeCsdnId } from './normalize-id.js';
import { type BusinessListPage, parseBusinessList } from './parse-api.js';
import { type HomePage, isNotFoundPage, parseHomePage } from './parse-home.js';
import { createSiteFetcher, type SiteFetcher } from './site-fetcher.js';
import { type CsdnUrls, csdnUrls } from './urls.js';

export interface CsdnAdapterOptions {
  /** Origin of the site; a local replica in tests and demos. Default https://blog.csdn.net. */
  baseUrl?: string;
  /** Articles per get-business-list page, 1..100 (the site is unreliable above 100). Default 100. */
  pageSize?: number;
  /** Names per fans/follows page. Default 20, as the site's own pages ask. */
  discoveryPageSize?: number;
  /** Deadline of one HTTP exchange; the HTTP client's default when omitted. */
  requestTimeoutMs?: number;
  /** Deadline of one browser operation (navigation, reading the page). Default 30 s. */
  browserTimeoutMs?: number;
  /** How long a click on 下一页 may take to change the URL. Default 8 s. */
  pagerTimeoutMs?: number;
  /** Clicks tried per page before giving up on the pager. Default 3. */
  clickAttempts?: number;
  /** Safety net: no list is walked past this many pages. Default 10000. */
  maxPages?: number;
}

/** Today's skin has no legacy list; these answers mean the JSON API is not there. */
function apiMissing(status: number, error?: unknown): boolean {
  return status === 404 || status === 410 || error instanceof ParseError;
}

/**
 * The CSDN adapter builds every URL from the origin (`/<user>/article/list/2`, `/community/...`), so a
 * base URL must be scheme, host and port only: a path would silently be dropped or doubled.
 */
function checkCsdnOrigin(origin: URL, baseUrl: string): void {
  const hint = 'give scheme, host and port only, e.g. https://blog.csdn.net or http://127.0.0.1:8080';
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:')
    throw new ConfigError(`base URL ${baseUrl} is not an http:// or https:// URL`, { hint });
  if ((origin.pathname !== '/' && origin.pathname !== '') || origin.search || origin.hash)
    throw new ConfigError(
      `base URL ${baseUrl} has a path or query; the CSDN adapter needs the site's origin`,
      {
        hint,
      },
    );
}

export function createCsdnAdapter(options: CsdnAdapterOptions = {}): SiteAdapter {
  const baseUrl = options.baseUrl ?? 'https://blog.csdn.net';
  let origin: URL;
  try {
    origin = new URL(baseUrl);
  } catch {
    throw new ConfigError(`csdn baseUrl is not a URL: ${JSON.stringify(baseUrl)}`);
  }
  checkCsdnOrigin(origin, baseUrl);
  const pageSize = options.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new ConfigError(`csdn pageSize must be an integer from 1 to 100, got ${pageSize}`);
  }
  const discoveryPageSize = options.discoveryPageSize ?? 20;
  const browserTimeoutMs = options.browserTimeoutMs ?? 30_000;
  const maxPages = options.maxPages ?? 10_000;
  const urls: CsdnUrls = csdnUrls(baseUrl);
  const gate = new ChallengeGate({ timeoutMs: browserTimeoutMs });
  const extraHosts = [origin.host.toLowerCase()];

  const normalizeId = (input: string) => normalizeCsdnId(input, extraHosts);
  let apiKnownMissing = false;

  async function readHome(id: string, fetcher: SiteFetcher): Promise<HomePage> {
    const response = await fetcher.get(urls.home(id), 'home page');
    if (response.status === 404 || response.status === 410 || isNotFoundPage(response.body)) {
      throw new NotFoundError(`CSDN user ${id} does not exist`);
    }
    const home = parseHomePage(response.body, id);
    if (home.skin === 'unknown') {
      throw new ParseError(`home page of ${id} has no profile (neither embedded state, counters nor aside)`);
    }
    return home;
  }

  /** Page 1 of the JSON list, or undefined when the API is not there (a legacy-only site). */
  async function probeApi(id: string, fetcher: SiteFetcher): Promise<BusinessListPage | undefined> {
    const response = await fetcher.get(urls.businessList(id, 1, pageSize), 'article list page 1');
    if (apiMissing(response.status)) return undefined;
    try {
      return parseBusinessList(response.body);
    } catch (error) {
      if (apiMissing(response.status, error)) return undefined;
      throw error;
    }
  }

  async function discover(id: string, fetcher: SiteFetcher, context: CrawlContext, result: UserResult) {
    if (!context.discovery.enabled) return;
    const max = context.discovery.maxPerUser;
    const follows = await readUserList('follows', id, fetcher, urls, context, max, discoveryPageSize);
    const fans = await readUserList('fans', id, fetcher, urls, context, max, discoveryPageSize);
    if (follows) result.follows = follows;
    if (fans) result.fans = fans;
  }

  async function crawlUser(input: string, context: CrawlContext): Promise<UserResult> {
    const id = normalizeId(input);
    const fetcher = createSiteFetcher(context, gate, { timeoutMs: options.requestTimeoutMs });
    try {
      return await crawlWith(id, fetcher, context);
    } catch (error) {
      // Keep what the site answered: a parse failure is only understood with the page in hand.
      const last = fetcher.last();
      if (error instanceof ParseError && !error.snapshot && last) {
        error.snapshot = await context
          .snapshot({ html: last.body, url: last.url, error, label: 'parse' })
          .catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * A user who published while we walked has counters newer than the home page read before the
   * walk: read it again so the snapshot matches the article list it is stored with.
   */
  async function settledProfile(
    id: string,
    fetcher: SiteFetcher,
    profile: Profile,
    walk: { articles: unknown[]; publishedDuringWalk: number },
  ) {
    const settled =
      walk.publishedDuringWalk > 0 ? { ...(await readHome(id, fetcher)).profile, username: id } : profile;
    return { ...settled, articleCount: walk.articles.length };
  }

  async function crawlWith(id: string, fetcher: SiteFetcher, context: CrawlContext): Promise<UserResult> {
    const home = await readHome(id, fetcher);
    const profile: Profile = { ...home.profile, username: id };

    if (home.skin !== 'legacy') {
      const walk: ApiWalkResult = await walkApiArticles(id, fetcher, urls, context, { pageSize, maxPages });
      const result: UserResult = {
        username: id,
        profile: await settledProfile(id, fetcher, profile, walk),
        articles: walk.articles,
        source: 'api',
      };
      await discover(id, fetcher, context, result);
      return result;
    }

    // A 2019-skin home page: use the JSON API when the site has it, else walk the legacy list.
    // Once the API proved missing, later legacy users skip the probe.
    const firstPage = apiKnownMissing ? undefined : await probeApi(id, fetcher);
    if (!firstPage && !apiKnownMissing) {
      apiKnownMissing = true;
      context.log.info('the site has no JSON API: walking legacy lists', { baseUrl });
    }
    if (firstPage) {
      const walk = await walkApiArticles(id, fetcher, urls, context, { pageSize, maxPages }, firstPage);
      const result: UserResult = {
        username: id,
        profile: await settledProfile(id, fetcher, profile, walk),
        articles: walk.articles,
        source: 'api',
      };
      await discover(id, fetcher, context, result);
      return result;
    }
    const walk = await walkLegacy(id, fetcher, context);
    return {
      username: id,
      profile: await settledProfile(id, fetcher, profile, walk),
      articles: walk.articles,
      source: walk.source,
    };
  }

  /**
   * The legacy list in a browser when the user asked for browsers always, else over HTTP;
   * a list HTTP cannot read (ParseError) is walked in a browser when one may be used.
   */
  async function walkLegacy(id: string, fetcher: SiteFetcher, context: CrawlContext) {
    const browserOptions = {
      timeoutMs: browserTimeoutMs,
      pagerTimeoutMs: options.pagerTimeoutMs ?? 8_000,
      clickAttempts: options.clickAttempts ?? 3,
      maxPages,
    };
    const inBrowser = async () => ({
      ...(await walkLegacyBrowser(id, urls, context, browserOptions)),
      source: 'legacy-browser' as const,
    });
    if (context.browserMode === 'always' && context.canUseBrowser) return inBrowser();
    try {
      return {
        ...(await walkLegacyHttp(id, fetcher, urls, context, maxPages)),
        source: 'legacy-http' as const,
      };
    } catch (error) {
      if (!(error instanceof ParseError) || !context.canUseBrowser || context.browserMode === 'never')
        throw error;
      context.log.warn('legacy list unreadable over HTTP; walking it in a browser', {
        id,
        error: error.message,
      });
      return inBrowser();
    }
  }

  return { name: 'csdn', normalizeId, crawlUser };
}
