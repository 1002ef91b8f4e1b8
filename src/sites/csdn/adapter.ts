import { ConfigError, NotFoundError, ParseError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http-client.js';
import type { Profile, UserResult } from '../../core/model.js';
import { type CrawlContext, graphListLimit, type SiteAdapter } from '../../core/site-adapter.js';
import { walkApiArticles } from './api-walk.js';
import { ChallengeGate } from './challenge-gate.js';
import { notCsdnPage } from './classify-response.js';
import { readUserList, userListApiOf } from './discovery.js';
import { runCsdnDoctor } from './doctor.js';
import { walkLegacyBrowser } from './legacy-browser-walk.js';
import { walkLegacyHttp } from './legacy-http-walk.js';
import { LegacyProgressBook } from './legacy-walk-progress.js';
import { normalizeCsdnId } from './normalize-id.js';
import { viewOf } from './page-structure.js';
import { type BusinessListPage, parseBusinessList } from './parse-api.js';
import { type HomePage, isNotFoundPage, parseHomePage } from './parse-home.js';
import { both, type Settled, settle, unsettle } from './settle.js';
import { createSiteFetcher, type SiteFetcher } from './site-fetcher.js';
import { type CsdnUrls, csdnUrls } from './urls.js';

export interface CsdnAdapterOptions {
  /** Origin of the site; a local replica in tests and demos. Default https://blog.csdn.net. */
  baseUrl?: string;
  /** Articles per get-business-list page, 1..100 (the site is unreliable above 100). Default 100. */
  pageSize?: number;
  /**
   * Names per fans/follows page asked. Default 100, the largest the site is known to serve for
   * its lists (its own pages ask 20); a site serving fewer is learned from its first answer.
   */
  discoveryPageSize?: number;
  /** Deadline of one HTTP exchange; the HTTP client's default when omitted. */
  requestTimeoutMs?: number;
  /** Deadline of one browser operation (navigation, reading the page). Default 30 s. */
  browserTimeoutMs?: number;
  /** How long a click on 下一页 may take to change the URL. Default 8 s. */
  pagerTimeoutMs?: number;
  /**
   * Deadline of loading one legacy list page by its URL in a browser. Shorter than
   * browserTimeoutMs: a page that sends nothing for this long is reloaded sooner. Default 10 s.
   */
  pageLoadTimeoutMs?: number;
  /** Clicks tried per page before giving up on the pager. Default 3. */
  clickAttempts?: number;
  /** Reloads (by URL, with backoff) of one broken legacy list page in a browser. Default 4. */
  pageRetries?: number;
  /** First wait before such a reload, doubled per reload; a Retry-After wins. Default 1 s. */
  pageRetryBaseMs?: number;
  /** Users whose failed browser walk is remembered, to continue it on the next attempt. Default 64. */
  resumeUsers?: number;
  /** Safety net: no list is walked past this many pages. Default 10000. */
  maxPages?: number;
}

function setList(result: Partial<UserResult>, kind: 'follows' | 'fans', names: string[], complete: boolean) {
  if (kind === 'follows') {
    result.follows = names;
    result.followsComplete = complete;
  } else {
    result.fans = names;
    result.fansComplete = complete;
  }
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
  const discoveryPageSize = options.discoveryPageSize ?? 100;
  const browserTimeoutMs = options.browserTimeoutMs ?? 30_000;
  const maxPages = options.maxPages ?? 10_000;
  const urls: CsdnUrls = csdnUrls(baseUrl);
  const gate = new ChallengeGate({ timeoutMs: browserTimeoutMs });
  // failed browser walks, per user: a retried user continues from its last good page
  const progress = new LegacyProgressBook(options.resumeUsers ?? 64);
  const extraHosts = [origin.host.toLowerCase()];

  const normalizeId = (input: string) => normalizeCsdnId(input, extraHosts);
  let apiKnownMissing = false;

  /**
   * The home page, classified by structure: CSDN's own 404 page (with HTTP 200, 404 or 410) is
   * a missing user; a 404/410 with any other page, or a 200 that is neither a profile nor that
   * page, comes from something that is not CSDN (a wrong base URL, a proxy, a path prefix) and
   * fails the user, naming the base URL, instead of marking every user missing for good.
   */
  async function readHome(id: string, fetcher: SiteFetcher): Promise<HomePage> {
    const response = await fetcher.get(urls.home(id), 'home page');
    const view = viewOf(response.body);
    if (isNotFoundPage(view)) throw new NotFoundError(`CSDN user ${id} does not exist`);
    if (response.status === 404 || response.status === 410) {
      throw new ConfigError(notCsdnPage(baseUrl, response.status), {
        hint: `the home page of ${id} was ${urls.home(id)}`,
      });
    }
    const home = parseHomePage(view, id);
    if (home.skin === 'unknown') {
      throw new ParseError(
        `${notCsdnPage(baseUrl, response.status)} (home page of ${id}: no embedded state, counters nor aside)`,
      );
    }
    return home;
  }

  /** List page 1 of the JSON API, asked at once with the home page (they do not depend on each other). */
  function askFirstListPage(id: string, fetcher: SiteFetcher): Settled<HttpResponse> {
    return settle(fetcher.get(urls.businessList(id, 1, pageSize), 'article list page 1'));
  }

  /** Page 1 of the JSON list, or undefined when the API is not there (a legacy-only site). */
  function apiFirstPage(response: HttpResponse, fetcher: SiteFetcher): BusinessListPage | undefined {
    if (apiMissing(response.status)) return undefined;
    try {
      return fetcher.parse(response, parseBusinessList);
    } catch (error) {
      if (apiMissing(response.status, error)) return undefined;
      throw error;
    }
  }

  /**
   * The follow lists as data (`context.graph`) and for discovery: each list is read up to its
   * limit (0: not read); a list the profile counts as empty costs no request. A list is complete
   * when it ended before the limit and holds at least the profile's count: a page lost to an
   * unreadable answer leaves it short, and an incomplete list only adds edges in the store, never
   * removes any. The two lists are read at once, unless this site's list API is still unknown
   * (the first list finds it, so the second does not ask a retired one again).
   */
  async function readFollowGraph(
    id: string,
    fetcher: SiteFetcher,
    context: CrawlContext,
    profile: Profile,
  ): Promise<Partial<UserResult>> {
    const graph: Partial<UserResult> = {};
    const readList = async (kind: 'follows' | 'fans', count: number | undefined) => {
      const limit = graphListLimit(context, kind);
      if (limit === 0) return;
      if (count === 0) {
        // The profile read moments ago says the list is empty: no request needed to know it.
        setList(graph, kind, [], true);
        return;
      }
      const names = await readUserList({
        kind,
        id,
        fetcher,
        urls,
        context,
        max: limit,
        pageSize: discoveryPageSize,
        count,
      });
      if (!names) return;
      const complete =
        count === undefined
          ? names.length < limit
          : names.length >= count && (names.length < limit || names.length === count);
      setList(graph, kind, names, complete);
    };
    const follows = () => readList('follows', profile.followCount);
    const fans = () => readList('fans', profile.fansCount);
    if (userListApiOf(urls) === undefined) {
      await follows();
      await fans();
    } else await both(follows(), fans());
    return graph;
  }

  async function crawlUser(input: string, context: CrawlContext): Promise<UserResult> {
    const id = normalizeId(input);
    const fetcher = createSiteFetcher(context, gate, { timeoutMs: options.requestTimeoutMs });
    try {
      return await crawlWith(id, fetcher, context);
    } catch (error) {
      // Keep what the site answered: a parse failure is only understood with the page in hand.
      const last = fetcher.evidenceOf(error);
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

  /**
   * The article list through the JSON API from its first page, and the follow graph at the same
   * time (it needs only the profile's counts).
   */
  async function viaApi(
    id: string,
    fetcher: SiteFetcher,
    context: CrawlContext,
    profile: Profile,
    firstPage: BusinessListPage,
  ): Promise<UserResult> {
    const [walk, graph] = await both(
      walkApiArticles(id, fetcher, urls, context, { pageSize, maxPages }, firstPage),
      readFollowGraph(id, fetcher, context, profile),
    );
    return {
      username: id,
      profile: await settledProfile(id, fetcher, profile, walk),
      articles: walk.articles,
      // A walk returns only once it reached the list's end (else it throws): the list is whole.
      articlesComplete: true,
      source: 'api',
      ...graph,
    };
  }

  async function crawlWith(id: string, fetcher: SiteFetcher, context: CrawlContext): Promise<UserResult> {
    // Once the API proved missing, users skip list page 1 (their home page is legacy).
    let firstList = apiKnownMissing ? undefined : askFirstListPage(id, fetcher);
    let home: HomePage;
    try {
      home = await readHome(id, fetcher);
    } catch (error) {
      // no request of this attempt outlives it
      await firstList;
      throw error;
    }
    const profile: Profile = { ...home.profile, username: id };

    if (home.skin !== 'legacy') {
      firstList ??= askFirstListPage(id, fetcher);
      const first = fetcher.parse(await unsettle(firstList), parseBusinessList);
      return viaApi(id, fetcher, context, profile, first);
    }

    // A 2019-skin home page: use the JSON API when the site has it, else walk the legacy list.
    const firstPage = firstList ? apiFirstPage(await unsettle(firstList), fetcher) : undefined;
    if (!firstPage && !apiKnownMissing) {
      apiKnownMissing = true;
      context.log.info('the site has no JSON API: walking legacy lists', { baseUrl });
    }
    if (firstPage) return viaApi(id, fetcher, context, profile, firstPage);
    const walk = await walkLegacy(id, fetcher, context);
    return {
      username: id,
      profile: await settledProfile(id, fetcher, profile, walk),
      articles: walk.articles,
      articlesComplete: true,
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
      pageRetries: options.pageRetries ?? 4,
      loadTimeoutMs: Math.min(browserTimeoutMs, options.pageLoadTimeoutMs ?? 10_000),
      retryBaseMs: options.pageRetryBaseMs ?? 1_000,
      progress,
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

  return { name: 'csdn', normalizeId, crawlUser, doctor: (context) => runCsdnDoctor(baseUrl, context) };
}
