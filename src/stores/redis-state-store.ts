import { hostname } from 'node:os';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import type { FleetBudget } from '../core/fleet-budget.js';
import type { WorkerInfo } from '../core/state-store.js';
import { StateStoreRuntime } from '../core/state-store-runtime/index.js';
import { RedisFleetBudget } from './redis-budget/redis-fleet-budget.js';
import { connectRedis, splitPrefix } from './redis-connect.js';
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

  /**
   * The politeness budget every worker of this crawl shares (same Redis, same prefix), on this
   * store's connection: close it before the store.
   */
  fleetBudget(): FleetBudget {
    return new RedisFleetBudget({ client: (this.backend as RedisStateBackend).raw, prefix: this.prefix });
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
  const { client, label } = await connectRedis(url, options);
  return new RedisStateStore(client, prefix, label, true, options.workerTtlMs);
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
