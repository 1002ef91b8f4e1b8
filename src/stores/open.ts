import path from 'node:path';
import { InvalidInputError, MissingDependencyError } from '../core/errors.js';
import type { FleetBudget } from '../core/fleet-budget.js';
import { MemoryFleetBudget } from '../core/memory-fleet-budget.js';
import type { ResultStore } from '../core/result-store.js';
import type { StateStore } from '../core/state-store.js';
import { redactUrl } from './redact.js';

export { redactUrl };

/**
 * Store specs as the CLI and config accept them:
 *   memory                       in-memory state (tests, one-off runs)
 *   ./file.sqlite, sqlite://path a SQLite file
 *   redis://…, rediss://…        Redis (state only)
 *   postgres://…, postgresql://… PostgreSQL (results only)
 * Backends are imported on first use, so a missing optional package only matters when chosen.
 */
export type StoreKind = 'memory' | 'sqlite' | 'redis' | 'postgres';

export interface ParsedSpec {
  kind: StoreKind;
  /** File path for sqlite, the URL for servers. */
  target: string;
}

export function parseStoreSpec(spec: string): ParsedSpec {
  const trimmed = spec.trim();
  if (trimmed === '') throw new InvalidInputError('empty store spec', { hint: 'give a file path or a URL' });
  if (trimmed === 'memory' || trimmed === 'memory://') return { kind: 'memory', target: '' };
  const lower = trimmed.toLowerCase();
  if (lower.startsWith('redis://') || lower.startsWith('rediss://'))
    return { kind: 'redis', target: trimmed };
  if (lower.startsWith('postgres://') || lower.startsWith('postgresql://')) {
    return { kind: 'postgres', target: trimmed };
  }
  if (lower.startsWith('sqlite://')) {
    const file = trimmed.slice('sqlite://'.length);
    if (file === '') throw new InvalidInputError(`store spec ${trimmed} has no file path`);
    return { kind: 'sqlite', target: path.resolve(file) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new InvalidInputError(`unknown store scheme in ${redactUrl(trimmed)}`, {
      hint: 'use memory, a file path, sqlite://, redis://, rediss://, postgres:// or postgresql://',
    });
  }
  return { kind: 'sqlite', target: path.resolve(trimmed) };
}

/** Imports an optional package; a missing one becomes MissingDependencyError with the install command. */
export async function loadOptional<T>(pkg: string, loader: () => Promise<T>): Promise<T> {
  try {
    return await loader();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      if (String((error as Error).message).includes(pkg)) {
        throw new MissingDependencyError(`the package ${pkg} is not installed`, {
          cause: error,
          hint: `npm install ${pkg}`,
        });
      }
    }
    throw error;
  }
}

export async function openStateStore(spec: string): Promise<StateStore> {
  const parsed = parseStoreSpec(spec);
  switch (parsed.kind) {
    case 'memory': {
      const { openKeyvStateStore } = await loadOptional('keyv', () => import('./keyv-state-store.js'));
      return openKeyvStateStore();
    }
    case 'sqlite': {
      await loadOptional('@keyv/sqlite', () => import('@keyv/sqlite'));
      const { openKeyvStateStore } = await loadOptional('keyv', () => import('./keyv-state-store.js'));
      return openKeyvStateStore({ path: parsed.target });
    }
    case 'redis': {
      await loadOptional('ioredis', () => import('ioredis'));
      const { openRedisStateStore } = await import('./redis-state-store.js');
      return openRedisStateStore({ url: parsed.target });
    }
    case 'postgres':
      throw new InvalidInputError(
        `PostgreSQL holds results, not the crawl state: ${redactUrl(parsed.target)}`,
        {
          hint: 'use a SQLite file or redis:// for the state store',
        },
      );
  }
}

export async function openResultStore(spec: string): Promise<ResultStore> {
  const parsed = parseStoreSpec(spec);
  switch (parsed.kind) {
    case 'sqlite': {
      await loadOptional('better-sqlite3', () => import('better-sqlite3'));
      const { openSqliteResultStore } = await import('./sqlite-result-store.js');
      return openSqliteResultStore(parsed.target);
    }
    case 'postgres': {
      await loadOptional('pg', () => import('pg'));
      const { openPostgresResultStore } = await import('./postgres-result-store.js');
      return openPostgresResultStore({ url: parsed.target });
    }
    case 'memory': {
      // A private temporary SQLite database: the same code path as a file, gone on close.
      await loadOptional('better-sqlite3', () => import('better-sqlite3'));
      const { openSqliteResultStore } = await import('./sqlite-result-store.js');
      return openSqliteResultStore(':memory:');
    }
    case 'redis':
      throw new InvalidInputError(`Redis holds the crawl state, not results: ${redactUrl(parsed.target)}`, {
        hint: 'use a SQLite file or postgres:// for the result store',
      });
  }
}

/**
 * A politeness budget to share between crawlers (`createCrawler({ fleetBudget })`): `memory` for
 * several crawlers in one process, `redis://…?prefix=` for processes and machines. A crawler on a
 * Redis state store shares its own without this (see `politeness.fleetBudget`).
 */
export async function openFleetBudget(spec: string): Promise<FleetBudget> {
  const parsed = parseStoreSpec(spec);
  if (parsed.kind === 'memory') return new MemoryFleetBudget();
  if (parsed.kind === 'redis') {
    await loadOptional('ioredis', () => import('ioredis'));
    const { openRedisFleetBudget } = await import('./redis-budget/index.js');
    return openRedisFleetBudget({ url: parsed.target });
  }
  throw new InvalidInputError(`a fleet budget lives in memory or Redis, not in ${redactUrl(parsed.target)}`, {
    hint: 'use memory or redis://host:6379?prefix=<the crawl>',
  });
}
