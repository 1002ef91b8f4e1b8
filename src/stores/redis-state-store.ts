import { hostname } from 'node:os';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { InvalidInputError, StoreError } from '../core/errors.js';
import type {
  AddOptions,
  IdRecord,
  IdSet,
  Lease,
  RetrySet,
  SetCounts,
  StateStore,
  WorkerInfo,
} from '../core/state-store.js';
import { ID_SETS } from '../core/state-store.js';
import { redactUrl } from './redact.js';
import { REMOVE } from './redis-remove-script.js';
import { QUEUE_SCRIPTS } from './redis-scripts.js';
import { redisFault } from './store-fault.js';

const SCRIPTS = { ...QUEUE_SCRIPTS, REMOVE };

export interface RedisStateStoreOptions {
  /** redis:// or rediss:// (TLS) URL; a password in it is never shown in messages. */
  url?: string;
  /** A connected ioredis client to use instead of `url` (not closed by `close()`). */
  client?: RedisClient;
  /** Key prefix; default `csdn-crawl`. Several crawls can share one Redis under different prefixes. */
  prefix?: string;
  /** Give up connecting after this long; default 5 s. */
  connectTimeoutMs?: number;
  /** Heartbeats older than this are not listed by `workers()`; default 30 s. */
  workerTtlMs?: number;
  /** Extra ioredis options (TLS certificates, for example). */
  redisOptions?: RedisOptions;
}

interface StoredRec {
  s: IdSet;
  a: number;
  d: number;
  u: number;
  e?: number;
  r?: string;
  o?: string;
  x?: number;
}

interface PendingCompletion {
  owner: string;
  id: string;
  outcome: 'done' | 'notfound' | 'failed';
  reason?: string;
  resolve(done: boolean): void;
  reject(error: unknown): void;
}

type ScriptName = keyof typeof SCRIPTS;

const CHUNK = 1000;

/**
 * The ID sets in Redis: every operation is one Lua script, so claims and leases are atomic across
 * any number of processes and machines. Counts are ZCARDs; releaseOwner reads one owner's set.
 */
export class RedisStateStore implements StateStore {
  readonly raw: RedisClient;
  private readonly shas = new Map<ScriptName, string>();
  private readonly completions: PendingCompletion[] = [];
  private completionsScheduled = false;

  constructor(
    client: RedisClient,
    readonly prefix: string,
    private readonly label: string,
    private readonly ownsClient: boolean,
    private readonly workerTtlMs = 30_000,
  ) {
    this.raw = client;
  }

  async add(ids: readonly string[], options: AddOptions = {}): Promise<number> {
    for (const id of ids) {
      if (typeof id !== 'string' || id.length === 0) {
        throw new InvalidInputError(`invalid ID ${JSON.stringify(id)}: IDs are non-empty strings`);
      }
    }
    const unique = [...new Set(ids)];
    let added = 0;
    for (let i = 0; i < unique.length; i += CHUNK) {
      added += (await this.run(
        'ADD',
        options.to ?? 'pending',
        options.depth ?? 0,
        options.recrawl ? 1 : 0,
        Date.now(),
        ...unique.slice(i, i + CHUNK),
      )) as number;
    }
    return added;
  }

  async promote(n: number): Promise<number> {
    let moved = 0;
    while (moved < n) {
      const want = Math.min(CHUNK, n - moved);
      const got = (await this.run('PROMOTE', want, Date.now())) as number;
      moved += got;
      if (got < want) break;
    }
    return moved;
  }

  async claim(owner: string, n: number, leaseMs: number): Promise<Lease[]> {
    if (n <= 0) return [];
    const flat = (await this.run('CLAIM', owner, n, Date.now(), leaseMs)) as (string | number)[];
    const leases: Lease[] = [];
    for (let i = 0; i < flat.length; i += 5) {
      leases.push({
        id: String(flat[i]),
        owner,
        attempts: Number(flat[i + 1]),
        enqueuedAt: Number(flat[i + 2]),
        depth: Number(flat[i + 3]),
        expiresAt: Number(flat[i + 4]),
      });
    }
    return leases;
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await this.run('RENEW', owner, Date.now(), leaseMs, ...ids.slice(i, i + CHUNK));
    }
  }

  /** Completions issued while a script is in flight travel together in the next one. */
  complete(
    owner: string,
    id: string,
    outcome: 'done' | 'notfound' | 'failed',
    reason?: string,
  ): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.completions.push({ owner, id, outcome, reason, resolve, reject });
      if (this.completionsScheduled) return;
      this.completionsScheduled = true;
      queueMicrotask(() => this.flushCompletions());
    });
  }

  private flushCompletions(): void {
    this.completionsScheduled = false;
    const batch = this.completions.splice(0, CHUNK);
    if (this.completions.length > 0) {
      this.completionsScheduled = true;
      queueMicrotask(() => this.flushCompletions());
    }
    const args = batch.flatMap((c) => [c.owner, c.id, c.outcome, c.reason ?? '']);
    this.run('COMPLETE', Date.now(), ...args).then(
      (result) => {
        batch.forEach((c, i) => {
          c.resolve(Number((result as number[])[i]) === 1);
        });
      },
      (error: unknown) => {
        for (const c of batch) c.reject(error);
      },
    );
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.run('RELEASE', owner, Date.now(), ...ids);
  }

  async releaseOwner(owner: string): Promise<number> {
    return (await this.run('RELEASE_OWNER', owner, Date.now())) as number;
  }

  async retryFailed(from: RetrySet = 'failed'): Promise<number> {
    let moved = 0;
    for (;;) {
      const got = (await this.run('RETRY_FAILED', CHUNK, Date.now(), from)) as number;
      moved += got;
      if (got < CHUNK) return moved;
    }
  }

  /** Takes IDs out of whichever set holds them (a lease too: its worker's completion is then ignored). */
  async remove(ids: readonly string[]): Promise<number> {
    const unique = [...new Set(ids)];
    let removed = 0;
    for (let i = 0; i < unique.length; i += CHUNK) {
      removed += (await this.run('REMOVE', ...unique.slice(i, i + CHUNK))) as number;
    }
    return removed;
  }

  async counts(): Promise<SetCounts> {
    const values = (await this.run('COUNTS')) as number[];
    const counts = {} as SetCounts;
    ID_SETS.forEach((set, i) => {
      counts[set] = Number(values[i]);
    });
    return counts;
  }

  async list(set: IdSet, options: { limit?: number; after?: string } = {}): Promise<IdRecord[]> {
    if (!ID_SETS.includes(set)) throw new InvalidInputError(`unknown ID set "${set}"`);
    const flat = (await this.run(
      'LIST',
      set,
      Math.max(0, options.limit ?? 100),
      options.after ?? '',
    )) as string[];
    const out: IdRecord[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push(toIdRecord(flat[i], JSON.parse(flat[i + 1])));
    return out;
  }

  async get(id: string): Promise<IdRecord | undefined> {
    const raw = await this.guard(() => this.raw.hget(`${this.prefix}:rec`, id));
    return raw ? toIdRecord(id, JSON.parse(raw)) : undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.guard(() =>
      value === undefined
        ? this.raw.hdel(`${this.prefix}:meta`, key)
        : this.raw.hset(`${this.prefix}:meta`, key, JSON.stringify(value)),
    );
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    const raw = await this.guard(() => this.raw.hget(`${this.prefix}:meta`, key));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  /** Records a worker's heartbeat; it disappears from `workers()` after the TTL unless renewed. */
  async heartbeat(info: WorkerInfo): Promise<void> {
    const ttl = this.workerTtlMs;
    await this.guard(() =>
      this.raw
        .multi()
        .set(`${this.prefix}:worker:${info.workerId}`, JSON.stringify(info), 'PX', ttl)
        .zadd(`${this.prefix}:workers`, Date.now(), info.workerId)
        .exec(),
    );
  }

  async signOff(workerId: string): Promise<void> {
    await this.guard(() =>
      this.raw
        .multi()
        .del(`${this.prefix}:worker:${workerId}`)
        .zrem(`${this.prefix}:workers`, workerId)
        .exec(),
    );
  }

  async workers(): Promise<WorkerInfo[]> {
    const key = `${this.prefix}:workers`;
    const cutoff = Date.now() - this.workerTtlMs;
    const ids = await this.guard(async () => {
      await this.raw.zremrangebyscore(key, '-inf', `(${cutoff}`);
      return this.raw.zrange(key, 0, -1);
    });
    if (ids.length === 0) return [];
    const raws = await this.guard(() => this.raw.mget(ids.map((id) => `${this.prefix}:worker:${id}`)));
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as WorkerInfo);
  }

  /** Deletes every key under the prefix (tests, `reset`). Uses SCAN, so it is safe on a shared Redis. */
  async destroy(): Promise<void> {
    await this.guard(async () => {
      let cursor = '0';
      do {
        const [next, keys] = await this.raw.scan(
          cursor,
          'MATCH',
          `${escapeGlob(this.prefix)}:*`,
          'COUNT',
          1000,
        );
        cursor = next;
        if (keys.length > 0) await this.raw.unlink(...keys);
      } while (cursor !== '0');
    });
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    if (this.raw.status === 'end') return;
    await this.raw.quit().catch(() => this.raw.disconnect());
  }

  private async run(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return this.guard(async () => {
      const body = SCRIPTS[name];
      let sha = this.shas.get(name);
      if (!sha) {
        sha = (await this.raw.script('LOAD', body)) as string;
        this.shas.set(name, sha);
      }
      try {
        return await this.raw.evalsha(sha, 0, this.prefix, ...args);
      } catch (error) {
        // A restarted or flushed Redis forgets scripts: load again once.
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
        return this.raw.eval(body, 0, this.prefix, ...args);
      }
    });
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // The client's own state tells a blip (still reconnecting) from an outage it gave up on.
      throw redisFault(error, this.label, this.raw.status === 'end');
    }
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function toIdRecord(id: string, rec: StoredRec): IdRecord {
  const out: IdRecord = { id, set: rec.s, attempts: rec.a, depth: rec.d, updatedAt: rec.u };
  if (rec.r !== undefined && rec.r !== null) out.reason = rec.r;
  if (rec.s === 'leased') {
    out.owner = rec.o;
    out.expiresAt = rec.x;
  }
  return out;
}

/** The host:port part of a Redis URL, without credentials, for messages. */
function describeUrl(url: string): string {
  return redactUrl(url);
}

/**
 * Connects to Redis and checks it answers. Fails fast with one line (no endless reconnecting) when it
 * is unreachable; afterwards, short outages are retried for a while.
 */
export async function openRedisStateStore(options: RedisStateStoreOptions): Promise<RedisStateStore> {
  const { url, urlPrefix } = splitPrefix(options.url ?? 'redis://127.0.0.1:6379');
  const prefix = options.prefix ?? urlPrefix ?? 'csdn-crawl';
  if (options.client) {
    return new RedisStateStore(options.client, prefix, `(prefix ${prefix})`, false, options.workerTtlMs);
  }
  const label = describeUrl(url);
  const { Redis } = await import('ioredis');
  let connected = false;
  let client: RedisClient;
  try {
    client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      // Before the first connection: give up at once. Later: ride out short outages (~30 s), then fail.
      retryStrategy: (times) => (!connected || times > 20 ? null : Math.min(times * 200, 2_000)),
      ...options.redisOptions,
    });
  } catch (error) {
    throw new StoreError(`invalid Redis URL ${label}`, {
      cause: error,
      hint: 'use redis://host:6379 or rediss://…',
    });
  }
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    connected = true;
  } catch (error) {
    client.disconnect();
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new StoreError(`cannot reach Redis at ${label}: ${redactSecrets(reason, url)}`, {
      cause: error,
      hint: 'start Redis or fix the URL (redis://[user:password@]host:port, rediss:// for TLS)',
    });
  }
  return new RedisStateStore(client, prefix, label, true, options.workerTtlMs);
}

/**
 * `?prefix=name` in the URL picks the key prefix, so a CLI spec alone can place several crawls in one
 * Redis. The parameter is removed before ioredis sees the URL.
 */
function splitPrefix(raw: string): { url: string; urlPrefix?: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { url: raw };
  }
  const urlPrefix = parsed.searchParams.get('prefix') ?? undefined;
  if (urlPrefix === undefined) return { url: raw };
  if (urlPrefix === '') {
    throw new InvalidInputError(`empty prefix in Redis URL ${redactUrl(raw)}`, {
      hint: 'use ?prefix=name or leave it out for the default csdn-crawl',
    });
  }
  parsed.searchParams.delete('prefix');
  return { url: parsed.toString(), urlPrefix };
}

/** Removes the password of `url` from a message, should a library ever echo it. */
function redactSecrets(message: string, url: string): string {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? message.split(password).join('***') : message;
  } catch {
    return message;
  }
}

export function defaultWorkerInfo(workerId: string): WorkerInfo {
  const now = Date.now();
  return {
    workerId,
    host: hostname(),
    pid: process.pid,
    startedAt: now,
    lastSeen: now,
    inFlight: 0,
    rate: 0,
  };
}
