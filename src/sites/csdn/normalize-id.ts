import { InvalidInputError } from '../../core/errors.js';

/** Letters, digits, `_` and `-`, 1 to 64 characters. */
export const CSDN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** First path segments that are site sections, not users. */
export const RESERVED_PATHS = new Set([
  'community',
  'rank',
  'phoenix',
  'article',
  'articles',
  'nav',
  'home',
  'api',
  'column',
  'blog',
  'blogs',
  'download',
  'search',
  'login',
  'logout',
  'favicon.ico',
  'robots.txt',
  'static',
  'public',
  'mp',
  'ask',
  'bbs',
  'live',
  'so',
  'tags',
  'new',
  'index',
]);

const USER_HOSTS = new Set(['blog.csdn.net', 'me.csdn.net', 'www.csdn.net']);

/**
 * The canonical CSDN id of an input: an id (`weixin_38171180`) or a profile URL
 * (`https://blog.csdn.net/<id>`, `.../<id>/article/details/<n>`, `https://me.csdn.net/<id>`).
 * `extraHosts` are accepted as profile hosts too (the configured origin, e.g. a local replica).
 */
export function normalizeCsdnId(input: string, extraHosts: readonly string[] = []): string {
  const raw = String(input ?? '').trim();
  if (raw === '')
    throw new InvalidInputError('empty CSDN id: give a username (letters, digits, _ or -) or a profile URL');
  const candidate = looksLikeUrl(raw) ? idFromUrl(raw, extraHosts) : raw;
  if (!CSDN_ID.test(candidate)) {
    throw new InvalidInputError(
      `invalid CSDN id ${JSON.stringify(shorten(raw))}: use 1-64 letters, digits, _ or -, or a URL like https://blog.csdn.net/<id>`,
    );
  }
  if (RESERVED_PATHS.has(candidate.toLowerCase())) {
    throw new InvalidInputError(
      `invalid CSDN id ${JSON.stringify(candidate)}: that is a site section, not a user`,
    );
  }
  return candidate;
}

function looksLikeUrl(raw: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || /^(\/\/)?[a-z0-9.-]+\.[a-z]{2,}(:\d+)?\//i.test(raw);
}

function idFromUrl(raw: string, extraHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw.replace(/^\/\//, '')}`);
  } catch {
    throw new InvalidInputError(`invalid CSDN profile URL ${JSON.stringify(shorten(raw))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInputError(
      `invalid CSDN profile URL ${JSON.stringify(shorten(raw))}: only http(s) URLs`,
    );
  }
  const host = url.host.toLowerCase();
  if (!USER_HOSTS.has(url.hostname.toLowerCase()) && !extraHosts.includes(host)) {
    const hint = url.hostname.endsWith('.blog.csdn.net')
      ? ' (a custom domain does not name the user: give the id)'
      : '';
    throw new InvalidInputError(
      `not a CSDN profile URL ${JSON.stringify(shorten(raw))}: expected https://blog.csdn.net/<id>${hint}`,
    );
  }
  const first = url.pathname.split('/').filter(Boolean)[0] ?? '';
  let id: string;
  try {
    id = decodeURIComponent(first);
  } catch {
    id = first;
  }
  if (id === '')
    throw new InvalidInputError(`CSDN profile URL without a user: ${JSON.stringify(shorten(raw))}`);
  return id;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
