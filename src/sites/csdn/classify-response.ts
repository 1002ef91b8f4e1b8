import { BlockedError, NetworkError, ParseError, ThrottledError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http-client.js';
import { findInCode, isJsonBody, pageTitle, viewOf } from './page-structure.js';
import { hasProfileModule } from './parse-home.js';

/** Titles of the security check page, exactly (a user's page is titled `<nickname>-CSDN博客`). */
const CHALLENGE_TITLES = new Set(['请进行安全验证', '安全验证']);
/** The check page is a few kilobytes; every page of a user is larger than this. */
const CHALLENGE_MAX_BYTES = 50_000;

/**
 * The security check's own page, by its structure: a small HTML page (never JSON) with no
 * profile module, titled exactly as the check, or whose own script code (not a string in it)
 * sets `arg1` and that has no other title. The words 安全验证 or acw_sc__v2 in a nickname, a
 * title or a JSON body are not the check.
 */
export function isChallengeHtml(body: string): boolean {
  if (body.length >= CHALLENGE_MAX_BYTES) return false;
  // necessary, not sufficient: the structure is judged below
  if (!body.includes('arg1') && !body.includes('安全验证')) return false;
  if (isJsonBody(body)) return false;
  const view = viewOf(body);
  if (hasProfileModule(view)) return false;
  const title = pageTitle(view.root);
  if (title !== undefined && CHALLENGE_TITLES.has(title)) return true;
  const setsArg1 = findInCode(view.scripts, /(?:^|[^\w$.])arg1\s*=(?!=)/) !== undefined;
  return setsArg1 && !title;
}

/** The 521 security check: by status, or by its own page. */
export function isChallengeResponse(response: HttpResponse): boolean {
  return response.status === 521 || isChallengeHtml(response.body);
}

/**
 * Why an answer is not from CSDN: a reason that names the base URL, because a wrong
 * `--base-url` (or a proxy, or a path prefix) is the usual cause.
 */
export function notCsdnPage(base: string, status: number): string {
  const what = status === 200 ? 'a page that is neither a CSDN profile nor' : 'a page that is not';
  return `${base}: answered HTTP ${status} with ${what} CSDN's 404 page; is --base-url right?`;
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
  // 444: nginx closing on a client it refuses, reported on fast batch runs (a wall too)
  if (status === 403 || status === 444) {
    throw new BlockedError('wall', `${what}: HTTP ${status}, the site's bot wall`, {
      status,
      hint: 'lower politeness.maxRate or wait before retrying',
    });
  }
  if (status === 429) {
    const wait = retryAfterMs(response.headers['retry-after']);
    throw new ThrottledError(`${what}: HTTP 429, too many requests`, wait);
  }
  if (status >= 500) throw new NetworkError(`${what}: HTTP ${status} from the site`, { status });
  throw new ParseError(`${what}: unexpected HTTP ${status}`);
}
