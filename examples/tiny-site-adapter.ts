/**
 * A site adapter for a tiny made-up site, with the site itself (a few lines of node:http).
 * It shows what an adapter for another site needs: turn input into an ID, crawl one user
 * through `context.http`, and throw the error class that says what happened; the engine does
 * the scheduling, politeness, retries, deadlines and storage.
 *
 *   const site = await startTinySite({ users: { alice: { name: 'Alice', posts: [] } } });
 *   const adapter = createTinySiteAdapter({ baseUrl: site.url });
 *
 * The engine tests use it, with `hook` to inject slowness and faults.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BlockedError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  ParseError,
  ThrottledError,
} from '../src/core/errors.js';
import type { Article, UserResult } from '../src/core/model.js';
import { parseRetryAfter } from '../src/core/polite-http.js';
import type { CrawlContext, SiteAdapter } from '../src/core/site-adapter.js';

export interface TinyUser {
  name: string;
  posts: { id: number; title: string; views: number }[];
  follows?: string[];
  fans?: string[];
}

export function createTinySiteAdapter(options: { baseUrl: string }): SiteAdapter {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    name: 'tiny',
    normalizeId(input) {
      const id = input.trim().replace(/^.*\/u\//, '');
      if (!/^[a-z0-9_]{1,32}$/.test(id))
        throw new InvalidInputError(`not a tiny-site user: ${input.slice(0, 80)}`);
      return id;
    },
    async crawlUser(id: string, context: CrawlContext): Promise<UserResult> {
      const url = `${base}/api/users/${encodeURIComponent(id)}`;
      const response = await context.http.get(url, { signal: context.signal });
      if (response.status === 404) throw new NotFoundError(`no user ${id}`);
      if (response.status === 429) {
        throw new ThrottledError('throttled', parseRetryAfter(response.headers['retry-after']));
      }
      if (response.status === 403) throw new BlockedError('wall', 'bot wall', { status: 403 });
      if (response.status !== 200)
        throw new NetworkError(`HTTP ${response.status}`, { status: response.status });
      let user: TinyUser;
      try {
        user = JSON.parse(response.body) as TinyUser;
      } catch (cause) {
        const snapshot = await context.snapshot({
          html: response.body,
          url,
          label: 'bad-json',
          error: cause,
        });
        throw new ParseError(`user ${id}: the API answered something that is not JSON`, { cause, snapshot });
      }
      const articles: Article[] = user.posts.map((post) => ({
        articleId: String(post.id),
        title: post.title,
        url: `${base}/posts/${post.id}`,
        type: 'original',
        postTime: '',
        viewCount: post.views,
        commentCount: 0,
      }));
      return {
        username: id,
        profile: { username: id, nickname: user.name, articleCount: articles.length },
        articles,
        follows: context.discovery.enabled ? user.follows : undefined,
        fans: context.discovery.enabled ? user.fans : undefined,
        source: 'api',
      };
    },
  };
}

export interface TinySite {
  url: string;
  /** Request paths in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * `hook` runs first for every request; return true when it answered (or chose never to answer).
 */
export async function startTinySite(options: {
  users: Record<string, TinyUser>;
  hook?: (req: http.IncomingMessage, res: http.ServerResponse, id: string) => boolean | Promise<boolean>;
  port?: number;
}): Promise<TinySite> {
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    requests.push(req.url ?? '');
    const id = decodeURIComponent(/^\/api\/users\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
    if (options.hook && (await options.hook(req, res, id))) return;
    const user = Object.hasOwn(options.users, id) ? options.users[id] : undefined;
    res.writeHead(user ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(user ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
