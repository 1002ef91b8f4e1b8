import type { CrawlContext, SiteAdapter } from '../../src/core/site-adapter.js';

export type RequestKind = 'home' | 'articleList' | 'tabTotal' | 'fans' | 'follows';

/** Which CSDN request a URL is, by its path. */
export function requestKind(url: string): RequestKind {
  const path = new URL(url).pathname;
  if (path.endsWith('/get-business-list')) return 'articleList';
  if (path.endsWith('/get-tab-total')) return 'tabTotal';
  if (path.endsWith('/get-fans-list')) return 'fans';
  if (path.endsWith('/get-follow-list')) return 'follows';
  return 'home';
}

export type Counts = Record<RequestKind, number>;

const zero = (): Counts => ({ home: 0, articleList: 0, tabTotal: 0, fans: 0, follows: 0 });

/**
 * A site adapter that counts the requests the adapter chose to make: calls to its context's
 * HTTP client, per attempt. Retries inside that client (a 5xx, a reset, a 429) are not the
 * adapter's choice and are not counted here; a whole attempt that failed is counted apart.
 */
export function countingSite(site: SiteAdapter) {
  /** Per user, the requests of the attempt that succeeded. */
  const chosen = new Map<string, Counts>();
  /** Requests of attempts that failed (the user was tried again), all users together. */
  let failedAttempts = 0;
  let failedRequests = 0;
  const adapter: SiteAdapter = {
    ...site,
    async crawlUser(id: string, context: CrawlContext) {
      const counts = zero();
      const http = context.http;
      // the engine's context, only its HTTP client seen through a counter (getters keep working)
      const counted: CrawlContext = Object.create(context, {
        http: {
          value: {
            get: (url: string, options?: Parameters<typeof http.get>[1]) => {
              counts[requestKind(url)]++;
              return http.get(url, options);
            },
            setCookies: http.setCookies.bind(http),
            clearCookies: http.clearCookies.bind(http),
          },
        },
      });
      try {
        const result = await site.crawlUser(id, counted);
        chosen.set(id, counts);
        return result;
      } catch (error) {
        failedAttempts++;
        failedRequests += Object.values(counts).reduce((a, b) => a + b, 0);
        throw error;
      }
    },
  };
  return { adapter, chosen, failed: () => ({ attempts: failedAttempts, requests: failedRequests }) };
}
