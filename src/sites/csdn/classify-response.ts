import { BlockedError, NetworkError, ParseError, ThrottledError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http-client.js';

/** The 521 security check: by status, or by its page (title 安全验证, the acw_sc__v2 cookie script). */
export function isChallengeResponse(response: HttpResponse): boolean {
  if (response.status === 521) return true;
  const head = response.body.slice(0, 20_000);
  if (head.trimStart().startsWith('{')) return false;
  return /<title>[^<]*安全验证/.test(head) || (/acw_sc__v2/.test(head) && response.body.length < 50_000);
}

/** Milliseconds from a Retry-After header (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Turn a status the crawl cannot use into the error class that carries the policy.
 * Returns normally for 2xx and 404/410 (the caller knows what a missing page means there).
 */
export function throwForStatus(response: HttpResponse, what: string): void {
  const { status } = response;
  if ((status >= 200 && status < 300) || status === 404 || status === 410) return;
  if (isChallengeResponse(response)) {
    throw new BlockedError(
      'challenge',
      `${what}: security check (HTTP ${status}, 安全验证) instead of the page`,
      {
        status,
        hint: 'a browser driver can pass it once and share its cookies',
      },
    );
  }
  if (status === 403) {
    throw new BlockedError('wall', `${what}: HTTP 403, the site's bot wall`, {
      status,
      hint: 'slow down (politeness delay) or wait before retrying',
    });
  }
  if (status === 429) {
    const wait = retryAfterMs(response.headers['retry-after']);
    throw new ThrottledError(`${what}: HTTP 429, too many requests`, wait);
  }
  if (status >= 500) throw new NetworkError(`${what}: HTTP ${status} from the site`, { status });
  throw new ParseError(`${what}: unexpected HTTP ${status}`);
}
