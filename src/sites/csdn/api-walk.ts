import { ParseError } from '../../core/errors.js';
import type { Article } from '../../core/model.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { ApiPageBook, readPages } from './api-page-book.js';
import { catchUpHeadSettled } from './article-collector.js';
import { type BusinessListPage, parseBusinessList, parseTabTotal } from './parse-api.js';
import type { SiteFetcher } from './site-fetcher.js';
import type { CsdnUrls } from './urls.js';

export interface ApiWalkResult {
  articles: Article[];
  /** The largest `total` any page stated (may count drafts); undefined when the site leaves it out. */
  total?: number;
  /** The last page of the walk (re-reads of the head not counted). */
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
 * Pages of one user read at once, at most. The host limiter bounds what is in flight at the
 * site; this only keeps one long list from queueing hundreds of requests ahead of other users.
 */
const PAGE_FAN_OUT = 8;

/**
 * The complete article list from get-business-list, in as few requests as the answers allow:
 * ceil(listed / pageSize) pages, plus one only when nothing the site says can tell the end.
 *
 * Page size: a first page shorter than asked while more may exist is either the end (`total`
 * counts drafts, or is absent) or a site serving fewer items per page than `size` asks (one
 * source says 20 whatever `size` is). One request tells them apart: page 2 asked at `size` = that
 * count (empty: the end; full: the smaller size, and page n then holds items (n-1)*eff ..
 * n*eff-1 whether the site honours, cuts or ignores `size`), or, when `total` is absent,
 * get-tab-total's `blog`. get-tab-total is read in no other case.
 *
 * Once a page came back full at the size asked and `total` is known, the remaining pages
 * (through ceil(total / size)) are read in parallel. End: no `list`, an empty page, a short page,
 * the count reaching the largest `total` (or `blog`), or a page of nothing new (a site ignoring
 * `page`).
 *
 * Articles published during the walk: page 1 is read again (until it meets a known article)
 * only when the walk saw the list move, a `total` that changed or an item on two pages; a gap
 * left by pages answered out of order is closed first (ApiPageBook).
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
    fetcher.parse(
      await fetcher.get(urls.businessList(id, page, size), `article list page ${page}`),
      parseBusinessList,
    );

  const book = new ApiPageBook();
  const first = firstPage ?? (await read(1));
  /** A page came back full at the size asked: the site serves `size` per page. */
  let confirmed = false;
  let learned = false;
  /** get-tab-total's `blog` (listed articles, no drafts), read only when `total` is absent. */
  let listed: number | undefined;
  const count = () => book.maxTotal() ?? listed;

  /** Take page `n` (read in order): the list ends with it, goes on, or page 1 came back short. */
  const take = (n: number, answer: BusinessListPage): 'end' | 'more' | 'short' => {
    const added = book.add(n, answer);
    const served = answer.articles.length;
    const total = count();
    if (!answer.hasList || served === 0) return 'end';
    // a page of nothing new means the site ignores `page`: stop rather than loop
    if (n > 1 && added === 0) return 'end';
    if (total !== undefined && book.size >= total) return 'end';
    if (served >= size) {
      if (learned && !confirmed)
        context.log.info('the site serves fewer articles per page than asked', {
          id,
          asked: options.pageSize,
          served: size,
        });
      confirmed = true;
      return 'more';
    }
    return n === 1 ? 'short' : 'end';
  };

  let page = 1;
  let step = take(1, first);
  if (step === 'short') {
    // Page 1 shorter than asked while more may exist: drafts (counted in `total`), or a site
    // serving fewer per page. With `total` stated, page 2 at this size tells (empty: the end) at
    // no more cost than get-tab-total; without it, get-tab-total's count decides, because an
    // empty page 2 could not show an article published since page 1.
    if (book.maxTotal() === undefined) listed = await tabTotal(id, fetcher, urls, context);
    const total = count();
    step = total !== undefined && book.size >= total ? 'end' : 'more';
    size = first.articles.length;
    learned = step === 'more';
  }
  while (step !== 'end') {
    if (page >= options.maxPages) {
      throw new ParseError(`article list of ${id} did not end after ${options.maxPages} pages`);
    }
    // pages go out together only when their totals can show a gap (see ApiPageBook)
    const total = book.maxTotal();
    const last = confirmed && total !== undefined ? Math.max(page + 1, Math.ceil(total / size)) : page + 1;
    const numbers: number[] = [];
    for (let n = page + 1; n <= Math.min(last, options.maxPages); n++) numbers.push(n);
    const answers = await readPages(numbers, read, PAGE_FAN_OUT);
    for (const [i, n] of numbers.entries()) {
      page = n;
      step = take(n, answers[i]);
      if (step !== 'more') break;
    }
    if (numbers.length > 1) await closeGaps(book, read, options.maxPages);
    const now = count();
    if (now !== undefined && book.size >= now) step = 'end';
  }

  let fresh = 0;
  if (first.hasList && (book.totalsMoved() || book.repeated)) {
    fresh = await catchUpHeadSettled(
      book.articles(),
      async (n) => (await read(n)).articles,
      size,
      options.maxPages,
    );
    if (fresh > 0) context.log.info('articles published during the walk', { id, fresh });
  }
  return {
    articles: book.articles().list(),
    total: book.maxTotal(),
    pages: page,
    pageSize: size,
    publishedDuringWalk: fresh,
  };
}

/** get-tab-total's `blog`, undefined when the endpoint is not there or unreadable. */
async function tabTotal(
  id: string,
  fetcher: SiteFetcher,
  urls: CsdnUrls,
  context: CrawlContext,
): Promise<number | undefined> {
  try {
    return fetcher.parse(await fetcher.get(urls.tabTotal(id), 'tab totals'), parseTabTotal).blog;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    context.log.debug('tab totals unreadable', { id, error: error.message });
    return undefined;
  }
}

/** Read again every page that follows a fresher one, until no gap is left (bounded by maxPages). */
async function closeGaps(
  book: ApiPageBook,
  read: (page: number) => Promise<BusinessListPage>,
  maxPages: number,
): Promise<void> {
  for (let budget = maxPages; budget > 0; budget--) {
    const gap = book.gapBefore();
    if (gap === undefined) return;
    book.reread(gap, await read(gap));
  }
}
