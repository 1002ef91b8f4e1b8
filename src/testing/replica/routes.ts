import { MAX_API_SIZE } from './api.js';
import * as shape from './api-variant.js';

// Which endpoint a request URL names, with its parameters parsed the way the site reads them.

export type Endpoint =
  | 'home'
  | 'legacy-list'
  | 'business-list'
  | 'tab-total'
  | 'fans-list'
  | 'follow-list'
  | 'retired-list-api'
  | 'not-found';

export interface Route {
  endpoint: Endpoint;
  username?: string;
  page: number;
  size: number;
  /** v2 lists: the `id` cursor; and which list API version was called. */
  cursor?: number;
  version?: 1 | 2;
}

const API = '/community/home-api/';

function int(value: string | null, fallback: number): number {
  if (value === null || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) ? n : fallback;
}

/** The endpoint and parameters of a request URL (an unknown path is `not-found`). */
export function route(url: URL, variant: shape.ApiVariant): Route {
  const path = url.pathname;
  const q = url.searchParams;
  const page = Math.max(1, int(q.get('page'), 1));
  if (path.startsWith(API)) {
    const rest = path.slice(API.length);
    if (rest === 'v1/get-business-list') {
      const size = int(q.get('size'), 20);
      return {
        endpoint: 'business-list',
        username: q.get('username') ?? '',
        page,
        size: size < 1 ? 20 : Math.min(size, MAX_API_SIZE),
      };
    }
    if (rest === 'v1/get-tab-total')
      return { endpoint: 'tab-total', username: q.get('username') ?? '', page, size: 0 };
    const lists: Record<string, Endpoint> = {
      'v1/get-fans-list': 'fans-list',
      'v2/get-fans-list': 'fans-list',
      'v1/get-follow-list': 'follow-list',
      'v2/get-follow-list': 'follow-list',
    };
    const endpoint = lists[rest];
    if (endpoint) {
      const size = int(q.get('size') ?? q.get('pageSize'), 20);
      const version = rest.startsWith('v2/') ? 2 : 1;
      return {
        endpoint: shape.servesListApi(variant, version) ? endpoint : 'retired-list-api',
        version,
        cursor: version === 2 ? Math.max(0, int(q.get('id'), 0)) : 0,
        username: q.get('blogUsername') ?? '',
        page,
        size: size < 1 ? 20 : Math.min(size, MAX_API_SIZE),
      };
    }
    return { endpoint: 'not-found', page, size: 0 };
  }
  const list = /^\/([^/]+)\/article\/list\/(\d+)\/?$/.exec(path);
  if (list)
    return {
      endpoint: 'legacy-list',
      username: decode(list[1]),
      page: Math.max(1, Number(list[2])),
      size: 0,
    };
  const home = /^\/([^/]+)\/?$/.exec(path);
  if (home) return { endpoint: 'home', username: decode(home[1]), page: 1, size: 0 };
  return { endpoint: 'not-found', page, size: 0 };
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
