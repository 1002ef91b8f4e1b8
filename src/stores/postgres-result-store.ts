import { StoreError } from '../core/errors.js';
import type { ResultStore } from '../core/result-store.js';

export interface PostgresResultStoreOptions {
  url: string;
  schema?: string;
}

// Placeholder until the PostgreSQL store lands (same session).
export async function openPostgresResultStore(_options: PostgresResultStoreOptions): Promise<ResultStore> {
  throw new StoreError('the PostgreSQL result store is not available yet', {
    hint: 'use a SQLite results file',
  });
}
