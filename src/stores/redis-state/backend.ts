import type { Redis as RedisClient } from 'ioredis';
import type { CrawlError } from '../../core/errors.js';
import {
  type DueSummary,
  ID_SETS,
  type IdSet,
  type Lease,
  type RetrySet,
  type SetCounts,
  type WorkerInfo,
} from '../../core/state-store.js';
import type {
  Completion,
  StateBackend,
  StateRecord,
  StoredEntry,
} from '../../core/state-store-runtime/index.js';
import { REMOVE } from '../redis-remove-script.js';
import { QUEUE_SCRIPTS } from '../redis-scripts.js';
import { decodeRecord } from '../state-record.js';
import { redisFault } from '../store-fault.js';

const SCRIPTS = { ...QUEUE_SCRIPTS, REMOVE };
type ScriptName = keyof typeof SCRIPTS;

/**
 * The state primitives in Redis: every ID-set operation is one Lua script (redis-scripts.ts), so
 * claims and leases are atomic across any number of processes and machines. Counts are ZCARDs;
 * releaseOwner reads one owner's set.
 */
export class RedisStateBackend implements StateBackend<RedisClient> {
  readonly capabilities = { workers: true, meta: true };
  readonly maxBatch = 1000;
  private readonly shas = new Map<ScriptName, string>();

  constructor(
    readonly raw: RedisClient,
    readonly prefix: string,
    readonly label: string,
    private readonly ownsClient: boolean,
    private readonly workerTtlMs = 30_000,
  ) {}

  async add(ids: readonly string[], to: string, depth: number, recrawl: boolean): Promise<number> {
    return (await this.run('ADD', to, depth, recrawl ? 1 : 0, Date.now(), ...ids)) as number;
  }

  async promote(n: number): Promise<number> {
    return (await this.run('PROMOTE', n, Date.now())) as number;
  }

  async claim(owner: string, n: number, leaseMs: number, dueNow?: number): Promise<Lease[]> {
    const flat = (await this.run('CLAIM', owner, n, Date.now(), leaseMs, dueNow ?? '')) as (
      | string
      | number
    )[];
    const leases: Lease[] = [];
    for (let i = 0; i < flat.length; i += 6) {
      const lease: Lease = {
        id: String(flat[i]),
        owner,
        attempts: Number(flat[i + 1]),
        enqueuedAt: Number(flat[i + 2]),
        depth: Number(flat[i + 3]),
        expiresAt: Number(flat[i + 4]),
      };
      if (Number(flat[i + 5]) === 1) lease.refresh = true;
      leases.push(lease);
    }
    return leases;
  }

  async renew(owner: string, ids: readonly string[], leaseMs: number): Promise<void> {
    await this.run('RENEW', owner, Date.now(), leaseMs, ...ids);
  }

  async complete(take: () => readonly Completion[]): Promise<boolean[]> {
    // One microtask: completions issued in the same tick join this script.
    await Promise.resolve();
    const args = take().flatMap((c) => [c.owner, c.id, c.outcome, c.reason ?? '', c.dueAt ?? '']);
    const result = (await this.run('COMPLETE', Date.now(), ...args)) as number[];
    return result.map((flag) => Number(flag) === 1);
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    await this.run('RELEASE', owner, Date.now(), ...ids);
  }

  async releaseOwner(owner: string): Promise<number> {
    return (await this.run('RELEASE_OWNER', owner, Date.now())) as number;
  }

  async retryFailed(from: RetrySet, n: number): Promise<number> {
    return (await this.run('RETRY_FAILED', n, Date.now(), from)) as number;
  }

  /** Takes IDs out of whichever set holds them (a lease too: its worker's completion is then ignored). */
  async remove(ids: readonly string[]): Promise<number> {
    return (await this.run('REMOVE', ...ids)) as number;
  }

  async counts(): Promise<SetCounts> {
    const values = (await this.run('COUNTS')) as number[];
    const counts = {} as SetCounts;
    ID_SETS.forEach((set, i) => {
      counts[set] = Number(values[i]);
    });
    return counts;
  }

  async dueSummary(now: number): Promise<DueSummary> {
    const hour = 3_600_000;
    const [dueNow, nextHour, nextDay, later, next] = (await this.run(
      'DUE_SUMMARY',
      now,
      now + hour,
      now + 24 * hour,
    )) as (number | string)[];
    const summary: DueSummary = {
      dueNow: Number(dueNow),
      nextHour: Number(nextHour),
      nextDay: Number(nextDay),
      later: Number(later),
    };
    if (next !== '') summary.nextDueAt = Number(next);
    return summary;
  }

  async list(set: IdSet, limit: number, after: string | undefined): Promise<StoredEntry[]> {
    const flat = (await this.run('LIST', set, limit, after ?? '')) as string[];
    const out: StoredEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const record = decodeRecord(JSON.parse(flat[i + 1]));
      if (record) out.push({ id: flat[i], record });
    }
    return out;
  }

  async get(id: string): Promise<StateRecord | undefined> {
    const raw = await this.raw.hget(`${this.prefix}:rec`, id);
    return raw ? decodeRecord(JSON.parse(raw)) : undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    if (value === undefined) await this.raw.hdel(`${this.prefix}:meta`, key);
    else await this.raw.hset(`${this.prefix}:meta`, key, JSON.stringify(value));
  }

  async getMeta(key: string): Promise<unknown> {
    const raw = await this.raw.hget(`${this.prefix}:meta`, key);
    return raw === null ? undefined : JSON.parse(raw);
  }

  /** Records a worker's heartbeat; it disappears from `workers()` after the TTL unless renewed. */
  async heartbeat(info: WorkerInfo): Promise<void> {
    await this.raw
      .multi()
      .set(`${this.prefix}:worker:${info.workerId}`, JSON.stringify(info), 'PX', this.workerTtlMs)
      .zadd(`${this.prefix}:workers`, Date.now(), info.workerId)
      .exec();
  }

  async signOff(workerId: string): Promise<void> {
    await this.raw
      .multi()
      .del(`${this.prefix}:worker:${workerId}`)
      .zrem(`${this.prefix}:workers`, workerId)
      .exec();
  }

  async workers(): Promise<WorkerInfo[]> {
    const key = `${this.prefix}:workers`;
    await this.raw.zremrangebyscore(key, '-inf', `(${Date.now() - this.workerTtlMs}`);
    const ids = await this.raw.zrange(key, 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.raw.mget(ids.map((id) => `${this.prefix}:worker:${id}`));
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as WorkerInfo);
  }

  /** Deletes every key under the prefix. Uses SCAN, so it is safe on a shared Redis. */
  async destroy(): Promise<void> {
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
  }

  /** The client's own state tells a blip (still reconnecting) from an outage it gave up on. */
  classifyError(error: unknown): CrawlError {
    return redisFault(error, this.label, this.raw.status === 'end');
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    if (this.raw.status === 'end') return;
    await this.raw.quit().catch(() => this.raw.disconnect());
  }

  private async run(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
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
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
