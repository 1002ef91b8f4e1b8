/**
 * The fleet's budget in Redis: every worker that shares the Redis and the key prefix takes its
 * request starts from the same slots (src/core/fleet-slots.ts), sees the same holds and the same
 * adaptive rate. Slots are claimed with rate-limiter-flexible (its atomic Redis script: one point
 * per slot key); holds and rates are single atomic commands (ZADD GT, HSET), so no script of ours.
 */
import { performance } from 'node:perf_hooks';
import type { Redis as RedisClient } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { StoreError } from '../../core/errors.js';
import type { FleetBudget } from '../../core/fleet-budget.js';
import { type SlotLedger, slotsOf, takeSlot } from '../../core/fleet-slots.js';

export interface RedisFleetBudgetOptions {
  /** A connected client; closed by `close()` only when `ownsClient`. */
  client: RedisClient;
  /** The state store's key prefix: the fleet is the workers of one crawl. */
  prefix: string;
  ownsClient?: boolean;
}

export class RedisFleetBudget implements FleetBudget {
  private readonly client: RedisClient;
  private readonly keys: { slots: string; holds: string; rates: string };
  private readonly ownsClient: boolean;
  /** One limiter per key lifetime: rate-limiter-flexible's durations are whole seconds. */
  private readonly limiters = new Map<number, RateLimiterRedis>();
  /** Redis's clock minus ours: every worker cuts slots on the server's clock. */
  private offset?: Promise<number>;
  private offsetMs = 0;
  private closed = false;

  constructor(options: RedisFleetBudgetOptions) {
    this.client = options.client;
    this.ownsClient = options.ownsClient ?? false;
    const base = `${options.prefix}:budget`;
    this.keys = { slots: `${base}:slot`, holds: `${base}:holds`, rates: `${base}:rates` };
  }

  async take(host: string, ratePerSecond: number, signal?: AbortSignal): Promise<void> {
    this.offsetMs = await this.clockOffset();
    await takeSlot(this.ledger, host, ratePerSecond, signal);
  }

  async hold(host: string, untilMs: number): Promise<void> {
    // GT: a shorter hold never cuts a longer one another worker set. Holds are on the workers'
    // clocks (epoch ms), which NTP keeps within milliseconds of each other.
    await this.call(() => this.client.zadd(this.keys.holds, 'GT', Math.round(untilMs), host));
  }

  async heldUntil(host: string): Promise<number> {
    const until = await this.localHold(host);
    return until > Date.now() ? until : 0;
  }

  async rate(host: string): Promise<number | undefined> {
    const value = await this.call(() => this.client.hget(this.keys.rates, host));
    const rate = value === null ? Number.NaN : Number(value);
    return rate > 0 ? rate : undefined;
  }

  async setRate(host: string, ratePerSecond: number, options?: { ifUnset?: boolean }): Promise<void> {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be above 0, got ${ratePerSecond}`);
    const value = String(ratePerSecond);
    await this.call(() =>
      options?.ifUnset
        ? this.client.hsetnx(this.keys.rates, host, value)
        : this.client.hset(this.keys.rates, host, value),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }

  /** Removes the budget's keys (tests, a crawl's reset); the state's keys stay. */
  async destroy(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.keys.slots}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await this.client.unlink(...keys);
    } while (cursor !== '0');
    await this.client.unlink(this.keys.holds, this.keys.rates);
  }

  private readonly ledger: SlotLedger = {
    claim: async (host, rate, index) => {
      try {
        await this.limiter(rate).consume(`${host}:${rate}:${index}`, 1);
        return true;
      } catch (error) {
        if (error instanceof RateLimiterRes) return false;
        throw this.fault(error);
      }
    },
    heldUntil: async (host) => (await this.localHold(host)) + this.offsetMs,
    now: () => Date.now() + this.offsetMs,
  };

  private async localHold(host: string): Promise<number> {
    const score = await this.call(() => this.client.zscore(this.keys.holds, host));
    return score === null ? 0 : Number(score);
  }

  private limiter(ratePerSecond: number): RateLimiterRedis {
    // A slot key must outlive its slot: claims are for a slot ahead, one more per worker queued
    // before this one (up to 64 of them on one host); then Redis drops it.
    const seconds = Math.max(2, Math.ceil((slotsOf(ratePerSecond).slotMs * 64) / 1000));
    let limiter = this.limiters.get(seconds);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.client,
        keyPrefix: this.keys.slots,
        points: 1,
        duration: seconds,
      });
      this.limiters.set(seconds, limiter);
    }
    return limiter;
  }

  private clockOffset(): Promise<number> {
    this.offset ??= this.call(() => measureOffset(this.client)).catch((error) => {
      this.offset = undefined; // measured again on the next call
      throw error;
    });
    return this.offset;
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('the fleet budget is closed');
    try {
      return await run();
    } catch (error) {
      throw this.fault(error);
    }
  }

  private fault(error: unknown): StoreError {
    if (error instanceof StoreError) return error;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return new StoreError(`fleet budget in Redis: ${reason}`, {
      cause: error,
      hint: 'check that Redis is reachable; the worker paces itself alone meanwhile',
    });
  }
}

/**
 * Redis's clock minus this machine's, from the quickest of a few TIME round trips. An offset
 * within that round trip cannot be told from none, and is none (workers on the Redis machine,
 * or clocks NTP keeps together): then slots are cut on the local clock, exactly.
 */
async function measureOffset(client: RedisClient): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const wall = Date.now();
    const [seconds, micros] = await client.time();
    const rtt = performance.now() - before;
    const server = Number(seconds) * 1000 + Number(micros) / 1000;
    if (rtt < best.rtt) best = { rtt, offset: server - (wall + rtt / 2) };
  }
  return Math.abs(best.offset) <= best.rtt / 2 + 1 ? 0 : best.offset;
}
