import { BlockedError, ParseError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http-client.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import type { ChallengeGate } from './challenge-gate.js';
import { isChallengeResponse, throwForStatus } from './classify-response.js';

export interface FetchOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * GET over the context's HTTP client with the site's defences handled: a 521 check is passed
 * in a browser when one may be used (then the request is repeated over HTTP), and every other
 * unusable status becomes the error class that carries the retry policy.
 */
export function createSiteFetcher(context: CrawlContext, gate: ChallengeGate, options: FetchOptions = {}) {
  /** The last answer read, kept as evidence for a ParseError. */
  let last: { url: string; body: string } | undefined;
  /**
   * The answer each ParseError came from: a user's requests run in parallel, so the last answer
   * read is not always the one that could not be parsed.
   */
  const evidence = new WeakMap<object, { url: string; body: string }>();
  const browserAllowed = () => context.canUseBrowser && context.browserMode !== 'never';

  async function get(url: string, what: string): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const sentAt = Date.now();
      const response = await context.http.get(url, {
        signal: context.signal,
        timeoutMs: options.timeoutMs,
        headers: options.headers,
      });
      last = { url, body: response.body };
      if (!isChallengeResponse(response)) {
        throwForStatus(response, what);
        return response;
      }
      if (!browserAllowed()) {
        throw new BlockedError(
          'challenge',
          `${what}: security check (HTTP ${response.status}, 安全验证) and no browser to pass it`,
          {
            status: response.status,
            hint: 'configure a browser driver (playwright or selenium) so the check can be passed once',
          },
        );
      }
      if (attempt >= 2) {
        throw new BlockedError('challenge', `${what}: security check came back after passing it twice`, {
          status: response.status,
        });
      }
      await gate.pass(url, sentAt, context);
    }
  }

  /** `parse(response.body)`; a ParseError it throws keeps this response as its evidence. */
  function parse<T>(response: HttpResponse, what: (body: string) => T): T {
    try {
      return what(response.body);
    } catch (error) {
      if (error instanceof ParseError) evidence.set(error, { url: response.url, body: response.body });
      throw error;
    }
  }

  return {
    get,
    parse,
    /** The answer an error came from when known, else the last one read. */
    evidenceOf: (error: unknown) => (error instanceof Object ? evidence.get(error) : undefined) ?? last,
  };
}

export type SiteFetcher = ReturnType<typeof createSiteFetcher>;
