import { connectRedis, type RedisConnectOptions, splitPrefix } from '../redis-connect.js';
import { RedisFleetBudget } from './redis-fleet-budget.js';

export { RedisFleetBudget, type RedisFleetBudgetOptions } from './redis-fleet-budget.js';

export interface OpenRedisFleetBudgetOptions extends RedisConnectOptions {
  /** redis:// or rediss:// URL; `?prefix=` as for the state store. */
  url?: string;
  /** Key prefix (default: the URL's `?prefix=`, else `csdn-crawl`): the same as the crawl's state. */
  prefix?: string;
}

/** A budget on its own connection (a script's crawlers, benches); one line when Redis is unreachable. */
export async function openRedisFleetBudget(
  options: OpenRedisFleetBudgetOptions = {},
): Promise<RedisFleetBudget> {
  const { url, urlPrefix } = splitPrefix(options.url ?? 'redis://127.0.0.1:6379');
  const { client } = await connectRedis(url, options);
  return new RedisFleetBudget({
    client,
    prefix: options.prefix ?? urlPrefix ?? 'csdn-crawl',
    ownsClient: true,
  });
}
