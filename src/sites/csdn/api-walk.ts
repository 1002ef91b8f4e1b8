import { ParseError } from '../../core/errors.js';
import type { Article } from '../../core/model.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { ArticleCollector, catchUpHead } from './article-collector.js';
import { type BusinessListPage, parseBusinessList, parseTabTotal } from './parse-api.js';
import type { SiteFetcher } from './site-fetcher.js';
import type { CsdnUrls } from './urls.js';

export interface ApiWalkResult {
  articles: Article[];
  /** `total` of the first page (may count drafts). */
  total?: number;
  /** `blog` of get-tab-total, when it could be read. */
  tabTotal?: number;
  pages: number;
  /** Articles that appeared at the head while the list was walked (the profile read before is stale). */
  publishedDuringWalk: number;
}

export interface ApiWalkOptions {
  pageSize: number;
  /** Safety net against a site that never ends its list. */
  maxPages: number;
}

/**
 * The complete article list from get-business-list. The walk ends at an empty list, a page
 * shorter than `size`, or when the running count reaches `total` (which may count drafts, so
 * a short page ends it first). `firstPage` is the already-read page 1, when the caller has it.
 */
export async function walkApiArticles(
  id: string,
  fetcher: SiteFetcher,
  urls: CsdnUrls,
  context: CrawlContext,
  options: ApiWalkOptions,
  firstPage?: BusinessListPage,
): Promise<ApiWalkResult> {
  const { pageSize } = options;
  const read = async (page: number) =>
    parseBusinessList(
      (await fetcher.get(urls.businessList(id, page, pageSize), `article list page ${page}`)).body,
    );

  const collector = new ArticleCollector();
  const first = firstPage ?? (await read(1));
  let total = first.total;
  let current = first;
  let page = 1;
  for (;;) {
    const added = collector.addPage(current.articles);
    // The latest total counts articles published since page 1.
    if (current.total !== undefined) total = current.total;
    const ended =
      !current.hasList ||
      current.articles.length === 0 ||
      current.articles.length < pageSize ||
      (total !== undefined && collector.size >= total) ||
      // a page of nothing new means the site ignores `page`: stop rather than loop
      (page > 1 && added === 0);
    if (ended) break;
    if (page >= options.maxPages) {
      throw new ParseError(`article list of ${id} did not end after ${options.maxPages} pages`);
    }
    page++;
    current = await read(page);
  }

  let tabTotal: number | undefined;
  try {
    tabTotal = parseTabTotal((await fetcher.get(urls.tabTotal(id), 'tab totals')).body).blog;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    context.log.debug('tab totals unreadable', { id, error: error.message });
  }

  // Articles published while we walked sit at the head. A single-page walk is one consistent
  // read, unless the tab total says something is missing.
  const mayHaveMissed = page > 1 || (tabTotal !== undefined && tabTotal > collector.size);
  let fresh = 0;
  if (mayHaveMissed && first.hasList) {
    fresh = await catchUpHead(collector, async (n) => (await read(n)).articles, pageSize, options.maxPages);
    if (fresh > 0) context.log.info('articles published during the walk', { id, fresh });
  }

  if (tabTotal !== undefined && tabTotal !== collector.size) {
    context.log.debug('listed articles differ from the tab total (drafts or private articles)', {
      id,
      listed: collector.size,
      tabTotal,
    });
  }
  return { articles: collector.list(), total, tabTotal, pages: page, publishedDuringWalk: fresh };
}
