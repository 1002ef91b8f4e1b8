/**
 * The fewest requests that crawl one user of the replica's documented shape exactly: what a
 * crawler is measured against (test/e2e-minimal-requests.test.ts, bench/http-crawl.ts).
 *
 * - the home page: 1 (the profile);
 * - get-business-list: ceil(listed / pageSize) pages (1 for a user with none, whose answer has
 *   no list), plus 1 when nothing the site says can tell the end: `total` counts drafts and the
 *   last page is full, or everything fit on one page shorter than asked (the short page could
 *   be a site serving fewer per page; the next page tells);
 * - fans and follows: ceil(min(count, cap) / listPageSize) pages each, the profile giving the
 *   count (0: no request); a list not read (cap 0) costs nothing.
 *
 * A site that changes during the crawl (articles published mid-walk) costs more: the head and
 * the profile must be read again. That is the site's doing; the minimum does not include it.
 */
export interface MinimalRequestsInput {
  /** Listed articles (the truth's, after the crawl). */
  articles: number;
  /** Drafts (Replica.drafts). */
  drafts: number;
  fans: number;
  follows: number;
}

export interface MinimalRequestsOptions {
  /** get-business-list page size asked. Default 100. */
  pageSize?: number;
  /** Fans/follows page size the site serves. Default 100. */
  listPageSize?: number;
  /** Names read per list at most (0: the list is not read). Defaults: the config's graph caps. */
  maxFans?: number;
  maxFollows?: number;
}

export interface MinimalRequests {
  home: number;
  articleList: number;
  fans: number;
  follows: number;
  total: number;
}

export function minimalRequests(
  user: MinimalRequestsInput,
  options: MinimalRequestsOptions = {},
): MinimalRequests {
  const pageSize = options.pageSize ?? 100;
  const listPageSize = options.listPageSize ?? 100;
  const list = (count: number, cap: number) => Math.ceil(Math.min(count, cap) / listPageSize);
  let articleList = 1;
  if (user.articles > 0) {
    const pages = Math.ceil(user.articles / pageSize);
    const lastFull = user.articles % pageSize === 0;
    articleList = pages + (user.drafts > 0 && (lastFull || pages === 1) ? 1 : 0);
  }
  const fans = list(user.fans, options.maxFans ?? 200);
  const follows = list(user.follows, options.maxFollows ?? 1000);
  return { home: 1, articleList, fans, follows, total: 1 + articleList + fans + follows };
}
