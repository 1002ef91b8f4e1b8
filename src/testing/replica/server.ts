import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { businessList, missingUser, tabTotal, userList } from './api.js';
import * as shape from './api-variant.js';
import { CHALLENGE_COOKIE, ChallengeBook, challengePage, readCookie } from './challenge.js';
import { replicaTime } from './clock.js';
import { DriftHooks } from './drift.js';
import { BotWall, resolveFaults } from './faults.js';
import { errorPage, notFoundPage } from './html.js';
import { LivingWorld } from './living.js';
import { homePage } from './page-home.js';
import { legacyPage } from './page-legacy.js';
import { EPOCH, Population, type UserRecord, type UserTruth } from './population.js';
import { hash32, Rng } from './prng.js';
import type { Replica, ReplicaOptions } from './replica-types.js';
import { pickFault, type Reply, ReplySender } from './replies.js';
import { RequestStats } from './request-stats.js';
import { RetryAfterWatch } from './retry-after-watch.js';
import { type Route, route } from './routes.js';
import type { SiteView } from './site-view.js';

/** Start the replica on 127.0.0.1 (port 0 = any free port). Prints nothing. */
export async function startReplica(options: ReplicaOptions = {}): Promise<Replica> {
  const seed = options.seed ?? 1;
  const host = options.host ?? '127.0.0.1';
  const pop = new Population(seed, options.users ?? 200, options.maxArticlesPerUser, options.longUsers);
  const time = replicaTime(EPOCH, options.clock, options.timeScale);
  // frozen by default: the population itself is the site, at one moment, as before
  const living = time.living ? new LivingWorld(pop) : undefined;
  const siteAt = (t: number): SiteView => (living ? living.at(t) : pop);
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
  const counts = new RequestStats();
  const retryAfter = new RetryAfterWatch();
  const sender = new ReplySender(faultRng);
  const sockets = new Set<Socket>();
  const countFault = (name: string) => counts.fault(name);

  function origin(req: IncomingMessage): string {
    const h = (req.headers.host ?? '').replace(/[^\w.:[\]-]/g, '');
    return `http://${h || `${host}:${port}`}`;
  }

  /** The answer as the drift hooks (drift.ts) leave it: unchanged unless `drift` names a change. */
  function content(req: IncomingMessage, r: Route): Reply {
    const site = siteAt(time.now());
    const notFound = r.endpoint === 'not-found' || !site.user(r.username ?? '');
    const path = (req.url ?? '/').split('?')[0];
    const sized = { ...r, size: drift.capSize(r.endpoint, r.size) };
    return drift.intercept(path) ?? drift.reshape(r.endpoint, siteContent(req, sized, site), notFound);
  }

  function siteContent(req: IncomingMessage, r: Route, site: SiteView): Reply {
    const html = (body: string, status = 200): Reply => ({ status, type: 'html', body });
    const json = (body: string): Reply => ({ status: 200, type: 'json', body });
    if (r.endpoint === 'not-found') return html(notFoundPage(), 404);
    if (r.endpoint === 'retired-list-api') return shape.retiredListReply(r.version, notFoundPage());
    const isApi = r.endpoint !== 'home' && r.endpoint !== 'legacy-list';
    if (isApi && legacyOnly) return html(notFoundPage(), 404);
    const user = site.user(r.username ?? '');
    if (!user) return isApi ? json(missingUser(contentRng)) : html(notFoundPage());
    const publishes = r.endpoint === 'business-list' || r.endpoint === 'legacy-list';
    if (publishes && r.page > 1 && faultRng.chance(faults.publishMidWalk)) {
      // a living replica publishes on its own clock: the truth must not depend on request order
      if (!living) pop.publish(user);
      countFault('publishMidWalk');
    }
    switch (r.endpoint) {
      case 'business-list':
        return json(businessList(site, user, r.page, r.size, contentRng, variant));
      case 'tab-total':
        return json(tabTotal(site, user, contentRng));
      case 'fans-list':
        return json(userList(site, site.fansOf(user), r.page, r.size, contentRng, r.cursor));
      case 'follow-list':
        return json(userList(site, site.followsOf(user), r.page, r.size, contentRng, r.cursor));
      case 'home':
        if (!legacyOnly) return html(homePage(site, user, 20, variant));
        return html(legacyPage(legacyInput(req, site, user, 1)));
      case 'legacy-list':
        return html(legacyPage(legacyInput(req, site, user, r.page)));
    }
  }

  function legacyInput(req: IncomingMessage, site: SiteView, user: UserRecord, page: number) {
    return {
      pop: site,
      user,
      origin: origin(req),
      page,
      pageSize: legacyPageSize,
      overlay,
      pagerDelayMs: contentRng.int(delayLo, Math.max(delayLo, delayHi)),
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://replica');
    } catch {
      url = new URL('http://replica/');
    }
    const r = route(url, variant);
    counts.request(r);
    const client = req.socket.remoteAddress ?? '?';
    const windowLeftMs = retryAfter.arrived(client, Date.now());
    const f = faults;
    const delay = Math.max(0, Math.round(f.latencyMs + (faultRng.next() * 2 - 1) * f.jitterMs));
    const isApi = r.endpoint !== 'home' && r.endpoint !== 'legacy-list' && r.endpoint !== 'not-found';
    const throttled = (headers: Record<string, string>): Reply => ({
      status: 429,
      type: isApi ? 'json' : 'html',
      body: isApi
        ? JSON.stringify({ code: 429, message: '请求过于频繁', data: null })
        : '<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>',
      headers,
    });
    if (windowLeftMs > 0 && f.enforceRetryAfter) {
      // still inside the window: refused again, told what is left (the window is not extended)
      countFault('retryAfterRefused');
      const left = { 'Retry-After': String(Math.ceil(windowLeftMs / 1000)) };
      sender.later(delay, () => sender.send(res, throttled(left)));
      return;
    }

    if (f.challenge) {
      const cookie = readCookie(req.headers.cookie, CHALLENGE_COOKIE);
      if (!book.admit(cookie, f.challengeCookieUses)) {
        countFault('challenge');
        const reply: Reply = { status: 521, type: 'html', body: challengePage(book.issue(contentRng)) };
        sender.later(delay, () => sender.send(res, reply));
        return;
      }
    }
    const wallKey = f.wall?.per === 'client' ? client : `${client}|${r.endpoint}`;
    if (f.wall && wall.hit(wallKey, Date.now(), f.wall)) {
      countFault('wall');
      if (f.wall.status === 444) {
        sender.later(delay, () => sender.send(res, { status: 444, type: 'html', body: '' }));
        return;
      }
      const body = isApi
        ? JSON.stringify({ code: 403, message: '访问过于频繁，请稍后再试', data: null })
        : '<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>';
      sender.later(delay, () => sender.send(res, { status: 403, type: isApi ? 'json' : 'html', body }));
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
      sender.later(delay, () => sender.send(res, { status, type: 'html', body: errorPage(status) }));
      return;
    }
    if (fault === 'throttle') {
      countFault('throttle');
      // drawn only when asked for, so the fault stream of older configurations stays the same
      const bare = f.throttleBare > 0 && faultRng.chance(f.throttleBare);
      sender.later(delay, () => {
        // the window opens when the answer leaves, not when the request came in
        if (!bare) retryAfter.announce(client, 1000, Date.now());
        sender.send(res, throttled(bare ? {} : { 'Retry-After': '1' }));
      });
      return;
    }
    if (fault === 'blank') {
      countFault('blank');
      sender.later(delay, () => sender.send(res, { status: 200, type: isApi ? 'json' : 'html', body: '' }));
      return;
    }
    // a stale copy of the previous list page: only a legacy list page > 1 has one
    const stale = fault === 'wrongPage' && r.endpoint === 'legacy-list' && r.page > 1;
    const mode = fault === 'wrongPage' ? 'normal' : (fault ?? 'normal');
    if (stale) countFault('wrongPage');
    const reply = content(req, stale ? { ...r, page: r.page - 1 } : r);
    if (mode !== 'normal') countFault(mode);
    sender.later(delay, () => {
      if (mode === 'reset') sender.reset(req, res, reply);
      else if (mode === 'drip') sender.drip(res, reply);
      else sender.send(res, reply);
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
      sender.cancelTimers();
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
    truth: (username, at) => shape.variantTruth(variant, siteAt(at ?? time.now()).truth(username)),
    exportTruth: (at) => {
      const site = siteAt(at ?? time.now());
      const out: Record<string, UserTruth> = {};
      for (const name of pop.all()) {
        const t = shape.variantTruth(variant, site.truth(name));
        if (t) out[name] = t;
      }
      return out;
    },
    drafts: (username) => siteAt(time.now()).user(username)?.drafts,
    now: () => time.now(),
    timeAt: (clockMs) => time.at(clockMs),
    stats: () => ({
      ...counts.snapshot(),
      retryAfterViolations: retryAfter.violations,
      wallTrips: wall.trips,
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
