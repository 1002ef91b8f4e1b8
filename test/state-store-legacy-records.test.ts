/**
 * Stores written by csdn-crawl before records had spelled-out names (state format 1: s, q, a, d, u,
 * e, r, o, x, oi) must keep working: a SQLite file on disk, and records left in a running Redis.
 * The old layouts are written here by hand, through Keyv and ioredis directly.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import { Redis } from 'ioredis';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../src/core/state-store.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openReadonlyStateStore } from '../src/stores/readonly-sqlite.js';
import { openRedisStateStore } from '../src/stores/redis-state-store.js';

const REDIS = 'redis://127.0.0.1:6379';
const T = Date.now() - 10_000;
const PAST = T - 1_000;
const FUTURE = Date.now() + 600_000;

interface OldRecord {
  s: string;
  q: number;
  a: number;
  d: number;
  u: number;
  e: number;
  r?: string;
  o?: string;
  x?: number;
  oi?: number;
}

/** Old records of the same six IDs in both stores (Redis records have no list positions). */
const OLD: Record<string, OldRecord> = {
  p1: { s: 'pending', q: 0, a: 0, d: 0, u: T, e: T },
  p2: { s: 'pending', q: 1, a: 1, d: 2, u: T, e: T - 5 },
  l1: { s: 'leased', q: 0, a: 1, d: 0, u: T, e: T, o: 'gone', x: PAST, oi: 0 },
  l2: { s: 'leased', q: 1, a: 2, d: 1, u: T, e: T, o: 'alive', x: FUTURE, oi: 0 },
  d1: { s: 'done', q: 0, a: 1, d: 0, u: T, e: T },
  f1: { s: 'failed', q: 0, a: 4, d: 0, u: T, e: T, r: 'timeout' },
};

async function writeOldKeyvFile(file: string): Promise<void> {
  const keyv = new Keyv({ store: new KeyvSqlite(`sqlite://${file}`), namespace: 'csdn-crawl' });
  await keyv.set('__csdn-crawl-state', { app: 'csdn-crawl', kind: 'state', version: 1 });
  for (const [id, rec] of Object.entries(OLD)) {
    await keyv.set(`R:${id}`, rec);
    await keyv.set(`I:${rec.s}:${rec.q}`, rec.s === 'leased' ? { i: id, x: rec.x } : { i: id });
    if (rec.o) await keyv.set(`I:o:${rec.o}:${rec.oi}`, { i: id });
  }
  await keyv.set('L:pending', { h: 0, t: 2 });
  await keyv.set('L:leased', { h: 0, t: 2 });
  await keyv.set('L:o:gone', { h: 0, t: 1 });
  await keyv.set('L:o:alive', { h: 0, t: 1 });
  await keyv.set('L:done', { h: 0, t: 1 });
  await keyv.set('L:failed', { h: 0, t: 1 });
  await keyv.set('C', { backlog: 0, pending: 2, leased: 2, done: 1, notfound: 0, failed: 1 });
  await keyv.disconnect();
}

async function writeOldRedis(prefix: string): Promise<void> {
  const redis = new Redis(REDIS);
  let seq = 0;
  for (const [id, { q: _q, oi: _oi, ...rec }] of Object.entries(OLD)) {
    await redis.hset(`${prefix}:rec`, id, JSON.stringify(rec));
    await redis.zadd(`${prefix}:set:${rec.s}`, rec.s === 'leased' ? rec.x! : ++seq, id);
    if (rec.o) await redis.sadd(`${prefix}:owner:${rec.o}`, id);
  }
  await redis.set(`${prefix}:seq`, seq);
  await redis.quit();
}

/** What `checkOldRecords` leaves. */
const AT_THE_END = { backlog: 0, pending: 2, leased: 1, done: 1, notfound: 0, failed: 0 };

/** The old records read, listed, claimed, released and moved as if written today. */
async function checkOldRecords(store: StateStore): Promise<void> {
  expect(await store.counts()).toEqual({
    backlog: 0,
    pending: 2,
    leased: 2,
    done: 1,
    notfound: 0,
    failed: 1,
  });
  expect(await store.list('failed')).toEqual([
    { id: 'f1', set: 'failed', attempts: 4, depth: 0, updatedAt: T, reason: 'timeout' },
  ]);
  expect(await store.get('l2')).toEqual({
    id: 'l2',
    set: 'leased',
    attempts: 2,
    depth: 1,
    updatedAt: T,
    owner: 'alive',
    expiresAt: FUTURE,
  });
  expect((await store.list('pending')).map((r) => r.id)).toEqual(['p1', 'p2']);

  // The expired lease first, then pending in order; attempts, depth and enqueuedAt carried over.
  const leases = await store.claim('new', 10, 60_000);
  expect(leases.map((l) => [l.id, l.attempts, l.depth, l.enqueuedAt])).toEqual([
    ['l1', 1, 0, T],
    ['p1', 0, 0, T],
    ['p2', 1, 2, T - 5],
  ]);
  expect(await store.complete('gone', 'l1', 'done')).toBe(false);
  expect(await store.complete('new', 'l1', 'done')).toBe(true);
  expect(await store.releaseOwner('alive')).toBe(1);
  expect(await store.retryFailed()).toBe(1);
  expect(await store.counts()).toEqual({
    backlog: 0,
    pending: 2,
    leased: 2,
    done: 2,
    notfound: 0,
    failed: 0,
  });
  expect((await store.list('done')).map((r) => r.id)).toEqual(['d1', 'l1']);
  expect(await store.get('f1')).toMatchObject({ set: 'pending', attempts: 0 });
  expect(await store.get('f1')).not.toHaveProperty('reason');
  expect(await store.remove(['d1', 'p2'])).toBe(2);
  expect(await store.counts()).toEqual(AT_THE_END);
}

describe('state format 1 (one-letter record fields)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'csdn-legacy-state-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a SQLite state file is read for status, then opened, upgraded and worked as usual', async () => {
    const file = path.join(dir, 'old.sqlite');
    await writeOldKeyvFile(file);

    const reader = await openReadonlyStateStore(file);
    expect(await reader.counts()).toMatchObject({ pending: 2, leased: 2, failed: 1 });
    expect((await reader.list('failed'))[0]).toMatchObject({ id: 'f1', reason: 'timeout' });
    await reader.close();

    const store = await openKeyvStateStore({ path: file });
    await checkOldRecords(store);
    expect(await store.raw.get('__csdn-crawl-state')).toMatchObject({ version: 2 });
    // Records that moved were written anew, with today's names only.
    expect(await store.raw.get('R:l1')).toMatchObject({ set: 'done', attempts: 2 });
    const released = await store.raw.get('R:l2');
    expect(released).toMatchObject({ set: 'pending', attempts: 2, depth: 1 });
    for (const short of ['s', 'q', 'a', 'o', 'x', 'oi', 'owner']) expect(released).not.toHaveProperty(short);
    await store.close();

    const again = await openKeyvStateStore({ path: file });
    expect(await again.counts()).toEqual(AT_THE_END);
    await again.close();
  });

  it('records left in a running Redis are read and worked as usual', async () => {
    const prefix = `csdn-test-${randomUUID()}`;
    await writeOldRedis(prefix);
    const store = await openRedisStateStore({ url: REDIS, prefix });
    try {
      await checkOldRecords(store);
      expect(JSON.parse((await store.raw.hget(`${prefix}:rec`, 'l1'))!)).toMatchObject({
        set: 'done',
        attempts: 2,
      });
    } finally {
      await store.destroy();
      await store.close();
    }
  });
});
