import { ParseError } from '../../core/errors.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { parseUserList } from './parse-api.js';
import type { SiteFetcher } from './site-fetcher.js';
import type { CsdnUrls } from './urls.js';

export type UserListApi = 'v1' | 'v2';

/**
 * The list API that answered last, per adapter instance: an adapter builds its CsdnUrls once,
 * so the URL set is the instance's key (no state leaks between adapters of different sites).
 */
const answered = new WeakMap<CsdnUrls, UserListApi>();

/** Which list API this adapter's site answered last (undefined before the first list). */
export function userListApiOf(urls: CsdnUrls): UserListApi | undefined {
  return answered.get(urls);
}

/** One fans or follows list of one user, at most `max` names, `pageSize` names a page. */
export interface UserListRequest {
  kind: 'fans' | 'follows';
  id: string;
  fetcher: SiteFetcher;
  urls: CsdnUrls;
  context: CrawlContext;
  max: number;
  pageSize: number;
}

type ListRead = { ok: true; names: string[] } | { ok: false; reason: string };

/**
 * Usernames of one list (fans or follows), through v1 or v2 (`id` cursor): the one that answered
 * last for this adapter first, the other when the first page is a 404, not JSON or an envelope
 * error. Paged until an empty page (the site's end signal; a short page is not trusted as the
 * end), a page with no new name, or `max` names. A list neither API serves is undefined, logged,
 * and does not fail the user; blocks and throttling propagate.
 */
export async function readUserList(request: UserListRequest): Promise<string[] | undefined> {
  const { kind, id, urls, context } = request;
  const first = answered.get(urls) ?? 'v1';
  const reasons: string[] = [];
  for (const api of [first, first === 'v1' ? 'v2' : 'v1'] as const) {
    const got = await readThrough(api, request);
    if (got.ok) {
      if (api !== answered.get(urls)) context.log.debug(`${kind} list read through ${api}`, { id });
      answered.set(urls, api);
      return got.names;
    }
    reasons.push(`${api}: ${got.reason}`);
  }
  context.log.warn(`${kind} list unreadable`, { id, error: reasons.join('; ') });
  return undefined;
}

async function readThrough(api: UserListApi, request: UserListRequest): Promise<ListRead> {
  const { kind, id, fetcher, urls, context, max, pageSize } = request;
  const names = new Set<string>();
  let cursor = '0';
  const url = (page: number) => {
    if (api === 'v1') return (kind === 'fans' ? urls.fans : urls.follows)(id, page, pageSize);
    return (kind === 'fans' ? urls.fansV2 : urls.followsV2)(id, page, pageSize, cursor);
  };
  for (let page = 1; names.size < max; page++) {
    const response = await fetcher.get(url(page), `${kind} page ${page} (${api})`);
    if (response.status === 404 || response.status === 410) {
      if (page === 1) return { ok: false, reason: `HTTP ${response.status}` };
      break;
    }
    let parsed: ReturnType<typeof parseUserList>;
    try {
      parsed = parseUserList(response.body, kind);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      if (page === 1) return { ok: false, reason: error.message };
      // a list that broke off mid-way: keep what was read
      context.log.warn(`${kind} list unreadable`, { id, api, page, error: error.message });
      return { ok: true, names: [...names] };
    }
    const before = names.size;
    for (const name of parsed.usernames) {
      if (names.size >= max) break;
      if (name !== id) names.add(name);
    }
    if (parsed.listed === 0 || names.size === before) break;
    if (parsed.lastId !== undefined) cursor = parsed.lastId;
  }
  return { ok: true, names: [...names] };
}
