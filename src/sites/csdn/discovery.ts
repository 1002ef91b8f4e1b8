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

/** One fans or follows list of one user, at most `max` names, `pageSize` names a page asked. */
export interface UserListRequest {
  kind: 'fans' | 'follows';
  id: string;
  fetcher: SiteFetcher;
  urls: CsdnUrls;
  context: CrawlContext;
  max: number;
  pageSize: number;
  /** How many names the profile counts in this list, when it says. */
  count?: number;
}

type ListRead = { ok: true; names: string[] } | { ok: false; reason: string };

/**
 * Usernames of one list (fans or follows), through v1 or v2 (`id` cursor): the one that answered
 * last for this adapter first, the other when the first page is a 404, not JSON or an envelope
 * error. A list neither API serves is undefined, logged, and does not fail the user; blocks and
 * throttling propagate.
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

/**
 * One list through one API, page by page, in as few pages as the answers allow. Ends at an
 * empty page, a page with no new name, `max` names, or the profile's count reached. A short
 * page ends it only once the page size is known: a first page shorter than asked is either the
 * whole list or a site serving fewer names per page than `size` asks, so (unless the count says
 * the list is complete) page 2 is asked at that smaller size, as the article walk does.
 */
async function readThrough(api: UserListApi, request: UserListRequest): Promise<ListRead> {
  const { kind, id, fetcher, urls, context, max, count } = request;
  const names = new Set<string>();
  let cursor = '0';
  let size = request.pageSize;
  const url = (page: number) => {
    if (api === 'v1') return (kind === 'fans' ? urls.fans : urls.follows)(id, page, size);
    return (kind === 'fans' ? urls.fansV2 : urls.followsV2)(id, page, size, cursor);
  };
  for (let page = 1; names.size < max; page++) {
    const response = await fetcher.get(url(page), `${kind} page ${page} (${api})`);
    if (response.status === 404 || response.status === 410) {
      if (page === 1) return { ok: false, reason: `HTTP ${response.status}` };
      break;
    }
    let parsed: ReturnType<typeof parseUserList>;
    try {
      parsed = fetcher.parse(response, (body) => parseUserList(body, kind));
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
    if (count !== undefined && names.size >= count) break;
    if (parsed.listed < size) {
      if (page > 1) break;
      size = parsed.listed;
    }
    if (parsed.lastId !== undefined) cursor = parsed.lastId;
  }
  return { ok: true, names: [...names] };
}
