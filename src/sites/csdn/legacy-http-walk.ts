import { ConfigError, NotFoundError, ParseError } from '../../core/errors.js';
import type { Article } from '../../core/model.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { ArticleCollector, catchUpHead } from './article-collector.js';
import { notCsdnPage } from './classify-response.js';
import { viewOf } from './page-structure.js';
import { isNotFoundPage } from './parse-home.js';
import { isEmptyLegacyList, type LegacyListPage, parseLegacyList } from './parse-legacy.js';
import type { SiteFetcher } from './site-fetcher.js';
import type { CsdnUrls } from './urls.js';

export interface LegacyWalkResult {
  articles: Article[];
  listTotal?: number;
  pageSize?: number;
  pages: number;
  /** Articles that appeared at the head while the list was walked (the profile read before is stale). */
  publishedDuringWalk: number;
}

/**
 * The legacy skin over plain HTTP: `/<id>/article/list/<n>` for n = 1..ceil(listTotal/pageSize).
 * Ends early at an empty page (the list's own 空空如也 element) or a short page; a page that adds nothing new ends it
 * too (a site that ignores the page number). Re-reads page 1 only when the list moved during the
 * walk (listTotal changed, or an item came back on the next page).
 */
export async function walkLegacyHttp(
  id: string,
  fetcher: SiteFetcher,
  urls: CsdnUrls,
  context: CrawlContext,
  maxPages: number,
): Promise<LegacyWalkResult> {
  const read = async (n: number): Promise<LegacyListPage> => {
    const url = urls.legacyList(id, n);
    const response = await fetcher.get(url, `legacy list page ${n}`);
    const view = viewOf(response.body);
    if (isNotFoundPage(view)) {
      if (n === 1) throw new NotFoundError(`CSDN user ${id} has no article list (404)`);
      return { articles: [], hiddenSkipped: 0, foreignSkipped: 0, vars: {} };
    }
    // a 404 that is not CSDN's own page: something else answers at this address
    if (response.status === 404) throw new ConfigError(notCsdnPage(url, response.status));
    const parsed = parseLegacyList(view, id);
    if (parsed.articles.length === 0 && parsed.vars.listTotal === undefined && !isEmptyLegacyList(view)) {
      // Not an empty list: something else answered (an error page served with 200).
      throw new ParseError(`legacy list page ${n} of ${id} is not a list page`);
    }
    return parsed;
  };

  const collector = new ArticleCollector();
  const first = await read(1);
  const pageSize = first.vars.pageSize;
  let pageCount = first.pageCount;
  let listTotal = first.vars.listTotal;
  let current = first;
  let n = 1;
  // the list moved while it was walked: a listTotal that changed, or an item seen twice
  let moved = false;
  for (;;) {
    const added = collector.addPage(current.articles);
    if (added < current.articles.length) moved = true;
    if (current.vars.listTotal !== undefined) {
      if (listTotal !== undefined && current.vars.listTotal !== listTotal) moved = true;
      listTotal = current.vars.listTotal;
      pageCount = current.pageCount;
    }
    const ended =
      current.articles.length === 0 ||
      (pageSize !== undefined && current.articles.length < pageSize) ||
      (pageCount !== undefined && n >= pageCount) ||
      (n > 1 && added === 0);
    if (ended) break;
    if (n >= maxPages) throw new ParseError(`legacy list of ${id} did not end after ${maxPages} pages`);
    n++;
    current = await read(n);
  }

  let fresh = 0;
  if (moved) {
    fresh = await catchUpHead(collector, async (k) => (await read(k)).articles, pageSize, maxPages);
    if (fresh > 0) context.log.info('articles published during the walk', { id, fresh });
  }
  if (listTotal !== undefined && collector.size !== listTotal) {
    context.log.warn('legacy list count differs from listTotal', { id, listed: collector.size, listTotal });
  }
  return { articles: collector.list(), listTotal, pageSize, pages: n, publishedDuringWalk: fresh };
}
