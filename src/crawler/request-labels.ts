/**
 * Bounded labels for a request, so that a metric series never carries crawled text (user names,
 * page numbers): the endpoint kind read from the path structure the CSDN adapter builds
 * (src/sites/csdn/urls.ts), and the status class of the answer.
 */

export type RequestKind = 'home' | 'list' | 'api-list' | 'fans' | 'follows' | 'other';
export const REQUEST_KINDS: readonly RequestKind[] = ['home', 'list', 'api-list', 'fans', 'follows', 'other'];

const API_KINDS: Record<string, RequestKind> = {
  'get-business-list': 'api-list',
  'get-tab-total': 'api-list',
  'get-fans-list': 'fans',
  'get-follow-list': 'follows',
};

/** `/<id>` home, `/<id>/article/list/<n>` list, `/community/home-api/v<n>/<name>` the JSON API. */
export function requestKind(url: string): RequestKind {
  let parts: string[];
  try {
    parts = new URL(url).pathname.split('/').filter(Boolean);
  } catch {
    return 'other';
  }
  if (parts[0] === 'community' && parts[1] === 'home-api' && parts.length === 4) {
    return API_KINDS[parts[3]] ?? 'other';
  }
  if (parts.length === 1) return 'home';
  if (parts.length === 4 && parts[1] === 'article' && parts[2] === 'list') return 'list';
  return 'other';
}

/**
 * `2xx`, `3xx`, `4xx`, `5xx`, with 403 (bot wall), 404 (user gone) and 429 (throttled) on their
 * own because each means something different to whoever watches; `error` when no answer came.
 */
export function statusLabel(status: number | undefined): string {
  if (status === undefined) return 'error';
  if (status === 403 || status === 404 || status === 429) return String(status);
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx`;
  return 'other';
}
