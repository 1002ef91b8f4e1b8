/**
 * One way to reach Redis for everything that lives there (the crawl state, the fleet's budget):
 * the same URL rules, the same fail-fast start and the same one-line error when it is unreachable.
 */
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { InvalidInputError, StoreError } from '../core/errors.js';
import { redactUrl } from './redact.js';

export interface RedisConnectOptions {
  /** Give up connecting after this long; default 5 s. */
  connectTimeoutMs?: number;
  /** Extra ioredis options (TLS certificates, for example). */
  redisOptions?: RedisOptions;
}

/**
 * Connects and checks Redis answers. Fails fast with one line (no endless reconnecting) when it
 * is unreachable; afterwards, short outages are retried for a while.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectOptions = {},
): Promise<{ client: RedisClient; label: string }> {
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
  return { client, label };
}

/**
 * `?prefix=name` in the URL picks the key prefix, so a CLI spec alone can place several crawls in one
 * Redis. The parameter is removed before ioredis sees the URL.
 */
export function splitPrefix(raw: string): { url: string; urlPrefix?: string } {
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
