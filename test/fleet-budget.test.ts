import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolve-config.js';
import { InvalidInputError, StoreError } from '../src/core/errors.js';
import type { FleetBudget } from '../src/core/fleet-budget.js';
import { MemoryFleetBudget } from '../src/core/memory-fleet-budget.js';
import { fleetBudgetFor } from '../src/crawler/open-stores.js';
import { openFleetBudget, openStateStore } from '../src/stores/open.js';
import { openRedisFleetBudget, type RedisFleetBudget } from '../src/stores/redis-budget/index.js';
import { openRedisStateStore } from '../src/stores/redis-state-store.js';
import { fleetBudgetConformance } from '../src/testing/conformance/fleet-budget.js';

const REDIS = 'redis://127.0.0.1:6379';

fleetBudgetConformance('memory', async () => {
  const budget = new MemoryFleetBudget();
  return { join: async () => budget, cleanup: () => budget.close() };
});

fleetBudgetConformance('Redis', async () => {
  const prefix = `csdn-test-budget-${randomUUID()}`;
  const opened: RedisFleetBudget[] = [];
  return {
    // Each worker on its own connection, as separate processes would be.
    join: async () => {
      const budget = await openRedisFleetBudget({ url: REDIS, prefix });
      opened.push(budget);
      return budget;
    },
    cleanup: async () => {
      await opened[0]?.destroy();
      await Promise.all(opened.map((budget) => budget.close()));
    },
  };
});

describe('RedisFleetBudget', () => {
  it('an unreachable Redis is one line naming it and the fix', async () => {
    const error = await openRedisFleetBudget({ url: 'redis://127.0.0.1:1/0?prefix=x' }).catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:1\/0/);
    expect(error.message).not.toContain('\n');
    expect(error.hint).toMatch(/start Redis or fix the URL/);
  });

  it("the state store's budget is the crawl's: same prefix, removed with the state", async () => {
    const prefix = `csdn-test-budget-${randomUUID()}`;
    const state = await openRedisStateStore({ url: REDIS, prefix });
    const other = await openRedisFleetBudget({ url: `${REDIS}/0?prefix=${prefix}` });
    let budget: FleetBudget | undefined;
    try {
      budget = state.fleetBudget();
      await budget.setRate('h.example', 6);
      await budget.take('h.example', 6);
      expect(await other.rate('h.example')).toBe(6);
      await state.destroy();
      expect(await other.rate('h.example')).toBeUndefined();
      expect(await state.raw.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      await budget?.close();
      await state.close();
      await other.close();
    }
    // Closing the state's budget leaves the store's connection to the store.
    const closed = await other.rate('h.example').catch((e) => e);
    expect(closed).toBeInstanceOf(StoreError);
  });
});

describe('openFleetBudget', () => {
  it('opens memory and Redis budgets, and refuses other specs in one line', async () => {
    const memory = await openFleetBudget('memory');
    expect(memory).toBeInstanceOf(MemoryFleetBudget);
    const prefix = `csdn-test-budget-${randomUUID()}`;
    const redis = await openFleetBudget(`${REDIS}/0?prefix=${prefix}`);
    try {
      await redis.setRate('h.example', 2);
      expect(await redis.rate('h.example')).toBe(2);
    } finally {
      await (redis as RedisFleetBudget).destroy();
      await redis.close();
    }
    const error = await openFleetBudget('./state.sqlite').catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^a fleet budget lives in memory or Redis, not in \//);
    expect(error.hint).toMatch(/redis:\/\//);
  });
});

describe('which budget a crawler shares (fleetBudgetFor)', () => {
  const config = (politeness: Record<string, unknown>) =>
    resolveConfig([{ source: 'test', values: { politeness } }]);

  it("a Redis state store's, unless politeness.fleetBudget is false; none on a local store", async () => {
    const prefix = `csdn-test-budget-${randomUUID()}`;
    const redis = await openRedisStateStore({ url: REDIS, prefix });
    const local = await openStateStore('memory');
    try {
      const shared = fleetBudgetFor(config({}), redis);
      expect(shared).toBeDefined();
      await shared!.setRate('h.example', 3);
      expect(await redis.raw.hget(`${prefix}:budget:rates`, 'h.example')).toBe('3');
      await shared!.close();
      expect(fleetBudgetFor(config({ fleetBudget: false }), redis)).toBeUndefined();
      expect(fleetBudgetFor(config({}), local)).toBeUndefined();
    } finally {
      await redis.destroy();
      await redis.close();
      await local.close();
    }
  });

  it('politeness.fleetBudget must be a boolean', () => {
    expect(() => config({ fleetBudget: 'yes' })).toThrow(/politeness\.fleetBudget/);
  });
});
