import { hostname } from 'node:os';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { InvalidInputError, StoreError } from '../core/errors.js';
import type { WorkerInfo } from '../core/state-store.js';
import { StateStoreRuntime } from '../core/state-store-runtime/index.js';
import { redactUrl } from './redact.js';
import { RedisStateBackend } from './redis-state/backend.js';

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

/**
 * The ID sets in Redis (see redis-state/backend.ts): atomic across any number of processes and
 * machines that share one prefix.
 */
export class RedisStateStore extends StateStoreRuntime<RedisClient> {
  readonly prefix: string;

  constructor(client: RedisClient, prefix: string, label: string, ownsClient: boolean, workerTtlMs?: number) {
    super(new RedisStateBackend(client, prefix, label, ownsClient, workerTtlMs));
    this.prefix = prefix;
  }

  /** Deletes every key under the prefix (tests, `reset`). Uses SCAN, so it is safe on a shared Redis. */
  async destroy(): Promise<void> {
    this.ensureOpen();
    const backend = this.backend as RedisStateBackend;
    await this.wrapFaults(() => backend.destroy());
  }
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
  const label = redactUrl(url);
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
