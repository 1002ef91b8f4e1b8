import { ParseError } from '../../core/errors.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { parseUserList } from './parse-api.js';
import type { SiteFetcher } from './site-fetcher.js';
import type { CsdnUrls } from './urls.js';

/**
 * Usernames of one list (fans or follows), paged until an empty page (the site's end signal;
 * a short page is not trusted as the end), a page with no new name, or `max` names. A list the site will not serve (404, garbage) is undefined, logged,
 * and does not fail the user; blocks and throttling do propagate.
 */
export async function readUserList(
  kind: 'fans' | 'follows',
  id: string,
  fetcher: SiteFetcher,
  urls: CsdnUrls,
  context: CrawlContext,
  max: number,
  pageSize: number,
): Promise<string[] | undefined> {
  const names = new Set<string>();
  const url = kind === 'fans' ? urls.fans : urls.follows;
  try {
    for (let page = 1; names.size < max; page++) {
      const response = await fetcher.get(url(id, page, pageSize), `${kind} page ${page}`);
      if (response.status === 404) {
        if (page === 1) return undefined;
        break;
      }
      const { usernames, listed } = parseUserList(response.body, kind);
      const before = names.size;
      for (const name of usernames) {
        if (names.size >= max) break;
        if (name !== id) names.add(name);
      }
      if (listed === 0 || names.size === before) break;
    }
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    context.log.warn(`${kind} list unreadable`, { id, error: error.message });
    return names.size > 0 ? [...names] : undefined;
  }
  return [...names];
}
