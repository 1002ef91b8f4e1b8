import { ParseError } from '../../core/errors.js';
import type { Article } from '../../core/model.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { ArticleCollector, catchUpHeadSettled } from './article-collector.js';
import { type BusinessListPage, parseBusinessList, parseTabTotal } from './parse-api.js';
import type { SiteFetcher } from './site-fetcher.js';
import type { CsdnUrls } from './urls.js';

export interface ApiWalkResult {
  articles: Article[];
  /** `total` of the latest page read (may count drafts); undefined when the site leaves it out. */
  total?: number;
  /** `blog` of get-tab-total, when it could be read. */
  tabTotal?: number;
  pages: number;
  /** Items per page the site really serves (smaller than asked when it ignores `size`). */
  pageSize: number;
  /** Articles that appeared at the head while the list was walked (the profile read before is stale). */
  publishedDuringWalk: number;
}

export interface ApiWalkOptions {
  pageSize: number;
  /** Safety net against a site that never ends its list. */
  maxPages: number;
}

/**
 * The complete article list from get-business-list.
 *
 * Page size: a first page shorter than asked while the site says more exist (`total`, else
 * get-tab-total's `blog`) means the site serves fewer items per page than `size` asks (one
 * source says 20 whatever `size` is). From then on the walk asks `size` = that effective size,
 * so page n holds items (n-1)*eff .. n*eff-1 whether the site honours, cuts or ignores `size`.
 *
 * End: no `list`, an empty page, the running count reaching the latest `total` (which may count
 * drafts), a page of nothing new (a site ignoring `page`), or a short page when nothing says
 * more exist. A short page while `total` says more is only the end when get-tab-total's `blog`
 * (listed articles, no drafts) is reached; otherwise the next page is read, and an empty one ends.
 */
export async function walkApiArticles(
  id: string,
  fetcher: SiteFetcher,
  urls: CsdnUrls,
  context: CrawlContext,
  options: ApiWalkOptions,
  firstPage?: BusinessListPage,
): Promise<ApiWalkResult> {
  let size = options.pageSize;
  const read = async (page: number) =>
    parseBusinessList(
      (await fetcher.get(urls.businessList(id, page, size), `article list page ${page}`)).body,
    );

  // get-tab-total is read once, as soon as the walk needs it or at the end.
  let tab: { blog?: number } | undefined;
  const tabTotal = async (): Promise<number | undefined> => {
    if (tab) return tab.blog;
    tab = {};
    try {
      tab = parseTabTotal((await fetcher.get(urls.tabTotal(id), 'tab totals')).body);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      context.log.debug('tab totals unreadable', { id, error: error.message });
    }
    return tab.blog;
  };

  const collector = new ArticleCollector();
  const first = firstPage ?? (await read(1));
  let total = first.total;
  let current = first;
  let page = 1;
  for (;;) {
    const added = collector.addPage(current.articles);
    const count = current.articles.length;
    // The latest total counts articles published since page 1.
    if (current.total !== undefined) total = current.total;
    let ended =
      !current.hasList ||
      count === 0 ||
      (total !== undefined && collector.size >= total) ||
      // a page of nothing new means the site ignores `page`: stop rather than loop
      (page > 1 && added === 0);
    if (!ended && count < size) {
      // Short page: the end, unless the site says more exist (then: drafts, or a smaller page size).
      const listed = await tabTotal();
      const moreExist = listed !== undefined ? listed > collector.size : total !== undefined;
      if (!moreExist) ended = true;
      else if (page === 1) {
        context.log.info('the site serves fewer articles per page than asked', {
          id,
          asked: size,
          served: count,
        });
        size = count;
      }
    }
    if (ended) break;
    if (page >= options.maxPages) {
      throw new ParseError(`article list of ${id} did not end after ${options.maxPages} pages`);
    }
    page++;
    current = await read(page);
  }

  const listed = await tabTotal();
  // Articles published while we walked sit at the head. A single-page walk is one consistent
  // read, unless the tab total says something is missing.
  const mayHaveMissed = page > 1 || (listed !== undefined && listed > collector.size);
  let fresh = 0;
  if (mayHaveMissed && first.hasList) {
    fresh = await catchUpHeadSettled(
      collector,
      async (n) => (await read(n)).articles,
      size,
      options.maxPages,
    );
    if (fresh > 0) context.log.info('articles published during the walk', { id, fresh });
  }

  if (listed !== undefined && listed !== collector.size) {
    context.log.debug('listed articles differ from the tab total (drafts or private articles)', {
      id,
      listed: collector.size,
      tabTotal: listed,
    });
  }
  return {
    articles: collector.list(),
    total,
    tabTotal: listed,
    pages: page,
    pageSize: size,
    publishedDuringWalk: fresh,
  };
}
