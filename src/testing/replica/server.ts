import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { businessList, MAX_API_SIZE, missingUser, tabTotal, userList } from './api.js';
import * as shape from './api-variant.js';
import { CHALLENGE_COOKIE, ChallengeBook, challengePage, readCookie } from './challenge.js';
import { type Drift, DriftHooks } from './drift.js';
import { BotWall, type FaultConfig, type FaultPreset, resolveFaults } from './faults.js';
import { errorPage, notFoundPage } from './html.js';
import { homePage } from './page-home.js';
import { legacyPage } from './page-legacy.js';
import { type LongUsers, Population, type UserTruth } from './population.js';
import { hash32, Rng } from './prng.js';

export interface ReplicaOptions {
  port?: number;
  host?: string;
  users?: number;
  seed?: number;
  /** Named changes of the site (drift.ts), for `csdn-crawl doctor`. Default none. */
  drift?: Drift[];
  faults?: FaultPreset | Partial<FaultConfig>;
  legacyOnly?: boolean;
  overlay?: boolean;
  pagerDelayMs?: [number, number];
  legacyPageSize?: number;
  /** Cap on each user's articles (default: none, the heavy tail reaches ~3000). */
  maxArticlesPerUser?: number;
  /** Which of the API shapes seen in public captures to serve (docs/replica.md). */
  apiVariant?: Partial<shape.ApiVariant>;
  /** The first `count` users get `articles` (a [min, max] range, seeded per user): long walks. */
  longUsers?: LongUsers;
}

export interface ReplicaStats {
  endpoints: Record<string, number>;
  faults: Record<string, number>;
  total: number;
  /** Requests per legacy list page, keyed `<username>/<page>` (which pages a walk read again). */
  legacyPages: Record<string, number>;
}

export interface Replica {
  url: string;
  port: number;
  usernames: string[];
  missingUsernames: string[];
  /** Users whose nickname and texts carry every page marker (adversarial.ts); outside the graph. */
  adversarialUsernames: string[];
  allUsernames(): string[];
  truth(username: string): UserTruth | undefined;
  exportTruth(): Record<string, UserTruth>;
  stats(): ReplicaStats;
  setFaults(faults: FaultPreset | Partial<FaultConfig>): void;
  setDown(down: boolean): Promise<void>;
  close(): Promise<void>;
}

type Endpoint =
  | 'home'
  | 'legacy-list'
  | 'business-list'
  | 'tab-total'
  | 'fans-list'
  | 'follow-list'
  | 'retired-list-api'
  | 'not-found';

interface Route {
  endpoint: Endpoint;
  username?: string;
  page: number;
  size: number;
  /** v2 lists: the `id` cursor; and which list API version was called. */
  cursor?: number;
  version?: 1 | 2;
}

interface Reply {
  status: number;
  type: 'html' | 'json';
  body: string;
  headers?: Record<string, string>;
}

const API = '/community/home-api/';

function int(value: string | null, fallback: number): number {
  if (value === null || value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isInteger(n) ? n : fallback;
}

function route(url: URL, variant: shape.ApiVariant): Route {
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

type RandomFault = 'hang' | 'serverError' | 'throttle' | 'reset' | 'drip' | 'blank' | 'wrongPage';
const LADDER: RandomFault[] = ['hang', 'serverError', 'throttle', 'reset', 'drip', 'blank', 'wrongPage'];

function pickFault(roll: number, f: FaultConfig): RandomFault | undefined {
  let edge = 0;
  for (const name of LADDER) {
    edge += f[name];
    if (roll < edge) return name;
  }
  return undefined;
}

/** Start the replica on 127.0.0.1 (port 0 = any free port). Prints nothing. */
export async function startReplica(options: ReplicaOptions = {}): Promise<Replica> {
  const seed = options.seed ?? 1;
  const host = options.host ?? '127.0.0.1';
  const pop = new Population(seed, options.users ?? 200, options.maxArticlesPerUser, options.longUsers);
  const legacyOnly = options.legacyOnly ?? false;
  const overlay = options.overlay ?? true;
  const [delayLo, delayHi] = options.pagerDelayMs ?? [50, 300];
  const legacyPageSize = options.legacyPageSize ?? 20;
  const variant = shape.resolveApiVariant(options.apiVariant);
  let faults = resolveFaults(options.faults ?? 'none');
  // separate streams so content choices never shift fault decisions
  const faultRng = new Rng(hash32(seed, 'faults'));
  const contentRng = new Rng(hash32(seed, 'content'));
  const book = new ChallengeBook();
  const wall = new BotWall();
  const drift = new DriftHooks(options.drift);
  const endpoints: Record<string, number> = {};
  const faultCounts: Record<string, number> = {};
  const legacyPages: Record<string, number> = {};
  let total = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const countFault = (name: string) => {
    faultCounts[name] = (faultCounts[name] ?? 0) + 1;
  };

  function origin(req: IncomingMessage): string {
    const h = (req.headers.host ?? '').replace(/[^\w.:[\]-]/g, '');
    return `http://${h || `${host}:${port}`}`;
  }

  /** The answer as the drift hooks (drift.ts) leave it: unchanged unless `drift` names a change. */
  function content(req: IncomingMessage, r: Route): Reply {
    const notFound = r.endpoint === 'not-found' || !pop.user(r.username ?? '');
    const path = (req.url ?? '/').split('?')[0];
    const sized = { ...r, size: drift.capSize(r.endpoint, r.size) };
    return drift.intercept(path) ?? drift.reshape(r.endpoint, siteContent(req, sized), notFound);
  }

  function siteContent(req: IncomingMessage, r: Route): Reply {
    const html = (body: string, status = 200): Reply => ({ status, type: 'html', body });
    const json = (body: string): Reply => ({ status: 200, type: 'json', body });
    if (r.endpoint === 'not-found') return html(notFoundPage(), 404);
    if (r.endpoint === 'retired-list-api') return shape.retiredListReply(r.version, notFoundPage());
    const isApi = r.endpoint !== 'home' && r.endpoint !== 'legacy-list';
    if (isApi && legacyOnly) return html(notFoundPage(), 404);
    const user = pop.user(r.username ?? '');
    if (!user) return isApi ? json(missingUser(contentRng)) : html(notFoundPage());
    const publishes = r.endpoint === 'business-list' || r.endpoint === 'legacy-list';
    if (publishes && r.page > 1 && faultRng.chance(faults.publishMidWalk)) {
      pop.publish(user);
      countFault('publishMidWalk');
    }
    switch (r.endpoint) {
      case 'business-list':
        return json(businessList(pop, user, r.page, r.size, contentRng, variant));
      case 'tab-total':
        return json(tabTotal(pop, user, contentRng));
      case 'fans-list':
        return json(userList(pop, pop.fansOf(user), r.page, r.size, contentRng, r.cursor));
      case 'follow-list':
        return json(userList(pop, pop.followsOf(user), r.page, r.size, contentRng, r.cursor));
      case 'home':
        if (!legacyOnly) return html(homePage(pop, user, 20, variant));
        return html(legacyPage(legacyInput(req, user, 1)));
      case 'legacy-list':
        return html(legacyPage(legacyInput(req, user, r.page)));
    }
  }

  function legacyInput(
    req: IncomingMessage,
    user: NonNullable<ReturnType<Population['user']>>,
    page: number,
  ) {
    return {
      pop,
      user,
      origin: origin(req),
      page,
      pageSize: legacyPageSize,
      overlay,
      pagerDelayMs: contentRng.int(delayLo, Math.max(delayLo, delayHi)),
    };
  }

  function later(ms: number, fn: () => void): void {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  function headersOf(reply: Reply, length: number): Record<string, string | number> {
    return {
      'Content-Type': reply.type === 'json' ? 'application/json;charset=UTF-8' : 'text/html; charset=utf-8',
      'Content-Length': length,
      ...reply.headers,
    };
  }

  function send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const body = Buffer.from(reply.body);
    res.writeHead(reply.status, headersOf(reply, body.length));
    res.end(body);
  }

  function drip(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const body = Buffer.from(reply.body);
    res.writeHead(reply.status, headersOf(reply, body.length));
    const chunks = faultRng.int(8, 16);
    const step = Math.ceil(faultRng.int(1000, 3000) / chunks);
    const size = Math.ceil(body.length / chunks);
    let at = 0;
    const tick = () => {
      if (res.destroyed) return;
      const next = Math.min(body.length, at + size);
      if (next >= body.length) {
        res.end(body.subarray(at));
        return;
      }
      res.write(body.subarray(at, next));
      at = next;
      later(step, tick);
    };
    later(step, tick);
  }

  function reset(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const body = Buffer.from(reply.body);
    res.writeHead(reply.status, headersOf(reply, body.length));
    res.write(body.subarray(0, Math.floor(body.length / 3)));
    setImmediate(() => req.socket.destroy());
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    total++;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://replica');
    } catch {
      url = new URL('http://replica/');
    }
    const r = route(url, variant);
    endpoints[r.endpoint] = (endpoints[r.endpoint] ?? 0) + 1;
    if (r.endpoint === 'legacy-list') {
      const key = `${r.username}/${r.page}`;
      legacyPages[key] = (legacyPages[key] ?? 0) + 1;
    }
    const f = faults;
    const delay = Math.max(0, Math.round(f.latencyMs + (faultRng.next() * 2 - 1) * f.jitterMs));
    const isApi = r.endpoint !== 'home' && r.endpoint !== 'legacy-list' && r.endpoint !== 'not-found';

    if (f.challenge) {
      const cookie = readCookie(req.headers.cookie, CHALLENGE_COOKIE);
      if (!book.admit(cookie, f.challengeCookieUses)) {
        countFault('challenge');
        const reply: Reply = { status: 521, type: 'html', body: challengePage(book.issue(contentRng)) };
        later(delay, () => send(res, reply));
        return;
      }
    }
    if (f.wall && wall.hit(`${req.socket.remoteAddress ?? '?'}|${r.endpoint}`, Date.now(), f.wall)) {
      countFault('wall');
      const body = isApi
        ? JSON.stringify({ code: 403, message: '访问过于频繁，请稍后再试', data: null })
        : '<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>';
      later(delay, () => send(res, { status: 403, type: isApi ? 'json' : 'html', body }));
      return;
    }
    // one draw decides at most one fault; the rates add up along this ladder
    const fault = pickFault(faultRng.next(), f);
    if (fault === 'hang') {
      countFault('hang');
      return; // the socket stays open with nothing sent, until the client or close() ends it
    }
    if (fault === 'serverError') {
      countFault('serverError');
      const status = faultRng.pick([500, 502, 503]);
      later(delay, () => send(res, { status, type: 'html', body: errorPage(status) }));
      return;
    }
    if (fault === 'throttle') {
      countFault('throttle');
      const body = isApi
        ? JSON.stringify({ code: 429, message: '请求过于频繁', data: null })
        : '<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>';
      // drawn only when asked for, so the fault stream of older configurations stays the same
      const bare = f.throttleBare > 0 && faultRng.chance(f.throttleBare);
      const headers: Record<string, string> = bare ? {} : { 'Retry-After': '1' };
      later(delay, () => send(res, { status: 429, type: isApi ? 'json' : 'html', body, headers }));
      return;
    }
    if (fault === 'blank') {
      countFault('blank');
      later(delay, () => send(res, { status: 200, type: isApi ? 'json' : 'html', body: '' }));
      return;
    }
    // a stale copy of the previous list page: only a legacy list page > 1 has one
    const stale = fault === 'wrongPage' && r.endpoint === 'legacy-list' && r.page > 1;
    const mode = fault === 'wrongPage' ? 'normal' : (fault ?? 'normal');
    if (stale) countFault('wrongPage');
    const reply = content(req, stale ? { ...r, page: r.page - 1 } : r);
    if (mode !== 'normal') countFault(mode);
    later(delay, () => {
      if (mode === 'reset') reset(req, res, reply);
      else if (mode === 'drip') drip(res, reply);
      else send(res, reply);
    });
  }

  const server = createServer({ keepAlive: true }, handle);
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(p, host, () => {
        server.off('error', onError);
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : p);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const port = await listen(options.port ?? 0);
  let down = false;
  let closed = false;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    usernames: [...pop.initial],
    missingUsernames: [...pop.missing],
    adversarialUsernames: [...pop.adversarial],
    allUsernames: () => pop.all(),
    truth: (username) => shape.variantTruth(variant, pop.truth(username)),
    exportTruth: () => {
      const out: Record<string, UserTruth> = {};
      for (const name of pop.all()) {
        const t = shape.variantTruth(variant, pop.truth(name));
        if (t) out[name] = t;
      }
      return out;
    },
    stats: () => ({
      endpoints: { ...endpoints },
      faults: { ...faultCounts },
      total,
      legacyPages: { ...legacyPages },
    }),
    setFaults: (next) => {
      faults = resolveFaults(next, faults);
      // new wall settings start from a clean slate (no client stays blocked by the old ones)
      if (typeof next === 'string' || 'wall' in next) wall.clear();
    },
    setDown: async (value) => {
      if (closed || value === down) return;
      down = value;
      if (value) await stop();
      else await listen(port);
    },
    close: async () => {
      closed = true;
      await stop();
    },
  };
}
