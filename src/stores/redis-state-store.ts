import { StoreError } from '../core/errors.js';
import type { StateStore } from '../core/state-store.js';

export interface RedisStateStoreOptions {
  url: string;
  prefix?: string;
}

// Placeholder until the Redis store lands (same session).
export async function openRedisStateStore(_options: RedisStateStoreOptions): Promise<StateStore> {
  throw new StoreError('the Redis state store is not available yet', { hint: 'use a SQLite state file' });
}
