/**
 * Named ways the real site could change, so `csdn-crawl doctor` can be shown to name each one.
 * Unlike the API variants the adapter tolerates, a drift breaks the documented expectation.
 * Hooks: intercept (before routing), cap (a request's page size), reshape (a finished reply).
 */

export const DRIFTS = [
  'renamed-fields',
  'achievements-template',
  'markup',
  'page-cap',
  'no-total',
  'fans-v1-gone',
  '404-page',
] as const;

export type Drift = (typeof DRIFTS)[number];

/** What the replica is about to send (mirrors server.ts's reply). */
export interface DriftReply {
  status: number;
  type: 'html' | 'json';
  body: string;
  headers?: Record<string, string>;
}

/** The page size the capped business list returns whatever `size` asks. */
export const DRIFT_PAGE_CAP = 20;

/** Parse `renamed-fields,page-cap`; unknown names are returned separately for the caller's error. */
export function parseDrifts(list: string | string[] | undefined): { drifts: Drift[]; unknown: string[] } {
  const names = (Array.isArray(list) ? list : String(list ?? '').split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  const drifts: Drift[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    if ((DRIFTS as readonly string[]).includes(name)) drifts.push(name as Drift);
    else unknown.push(name);
  }
  return { drifts, unknown };
}

const OPENRESTY_404 =
  '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n';

/** A restructured not-found page: no page id, another title, another layout. */
const NEW_NOT_FOUND_PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面找不到了_CSDN</title></head><body>
<div class="not-found-v2"><h1>页面找不到了</h1></div>
<script>window.__NEXT_STATE__={"page":{"type":"error","code":404}};</script>
</body></html>`;

export class DriftHooks {
  private readonly active: Set<Drift>;

  constructor(drifts: readonly Drift[] = []) {
    this.active = new Set(drifts);
  }

  has(drift: Drift): boolean {
    return this.active.has(drift);
  }

  /** A reply that replaces routing altogether (an endpoint that is gone), or undefined. */
  intercept(pathname: string): DriftReply | undefined {
    if (this.has('fans-v1-gone') && /^\/community\/home-api\/v1\/get-(fans|follow)-list\/?$/.test(pathname)) {
      return { status: 404, type: 'html', body: OPENRESTY_404 };
    }
    return undefined;
  }

  /** The page size the business list really serves. */
  capSize(endpoint: string, size: number): number {
    return endpoint === 'business-list' && this.has('page-cap') ? Math.min(size, DRIFT_PAGE_CAP) : size;
  }

  /** Rewrite a finished reply of the given endpoint; `notFound` marks the replica's own 404 page. */
  reshape(endpoint: string, reply: DriftReply, notFound: boolean): DriftReply {
    if (notFound && reply.type === 'html' && this.has('404-page'))
      return { ...reply, body: NEW_NOT_FOUND_PAGE };
    if (endpoint === 'business-list' && reply.type === 'json') return this.reshapeList(reply);
    if (endpoint === 'home' && reply.type === 'html' && !notFound) return this.reshapeHome(reply);
    return reply;
  }

  private reshapeList(reply: DriftReply): DriftReply {
    if (!this.has('renamed-fields') && !this.has('no-total')) return reply;
    const json = JSON.parse(reply.body) as { data?: { list?: Record<string, unknown>[]; total?: number } };
    const data = json.data;
    if (!data) return reply;
    if (this.has('no-total')) delete data.total;
    if (this.has('renamed-fields') && Array.isArray(data.list)) {
      data.list = data.list.map(({ articleId, viewCount, ...rest }) => ({
        id: articleId,
        views: viewCount,
        ...rest,
      }));
    }
    return { ...reply, body: JSON.stringify(json) };
  }

  private reshapeHome(reply: DriftReply): DriftReply {
    let body = reply.body;
    if (this.has('markup')) {
      body = body
        .replace('class="user-profile-head-info-r-c"', 'class="user-profile-head-counters"')
        .replace('window.__INITIAL_STATE__=', 'window.__INITIAL_DATA__=');
    }
    if (this.has('achievements-template')) body = rewriteAchievements(body);
    return body === reply.body ? reply : { ...reply, body };
  }
}

/** achievementList entries become `{icon, key, data: {count}}`: no words naming the kind. */
function rewriteAchievements(html: string): string {
  return html.replace(/"achievementList":\[[^\]]*\]/, (list) => {
    const items = JSON.parse(list.slice('"achievementList":'.length)) as { icon: string; variable: string }[];
    const rewritten = items.map((item) => ({
      icon: item.icon,
      key: item.icon,
      data: { count: item.variable },
    }));
    return `"achievementList":${JSON.stringify(rewritten)}`;
  });
}
