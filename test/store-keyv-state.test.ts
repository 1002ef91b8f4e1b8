import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../src/core/errors.js';
import { KeyvStateStore, openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { stateStoreConformance } from '../src/testing/conformance/state-store.js';

let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csdn-state-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

stateStoreConformance('Keyv memory', async () => {
  const store = await openKeyvStateStore();
  return { store, cleanup: () => store.close() };
});

stateStoreConformance('Keyv memory, two instances on one Keyv', async () => {
  const keyv = new Keyv({ namespace: `shared${counter++}` });
  const store = await openKeyvStateStore({ keyv });
  return {
    store,
    openAnother: () => openKeyvStateStore({ keyv }),
    cleanup: () => store.close(),
  };
});

stateStoreConformance('Keyv SQLite file', async () => {
  const file = path.join(dir, `state-${counter++}.sqlite`);
  const store = await openKeyvStateStore({ path: file });
  return {
    store,
    openAnother: () => openKeyvStateStore({ path: file }),
    cleanup: async () => {
      await store.close();
      await rm(file, { force: true });
      await rm(`${file}-wal`, { force: true });
      await rm(`${file}-shm`, { force: true });
    },
  };
});

describe('KeyvStateStore on a SQLite file', () => {
  it('keeps its state across reopen, in WAL mode', async () => {
    const file = path.join(dir, 'reopen.sqlite');
    const first = await openKeyvStateStore({ path: file });
    await first.add(['a', 'b', 'c']);
    await first.claim('w', 1, 60_000);
    await first.setMeta('lastRun', { rate: 7 });
    await first.close();
    const second = await openKeyvStateStore({ path: file });
    expect(await second.counts()).toMatchObject({ pending: 2, leased: 1 });
    expect(await second.getMeta('lastRun')).toEqual({ rate: 7 });
    expect(await second.releaseOwner('w')).toBe(1);
    await second.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file that is not SQLite and leaves it untouched', async () => {
    const file = path.join(dir, 'notes.txt');
    const content = 'my precious notes\n'.repeat(20);
    await writeFile(file, content);
    const error = await openKeyvStateStore({ path: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(file);
    expect((error as StoreError).message).not.toContain('\n');
    expect((error as StoreError).hint).toMatch(/untouched/);
    expect(await readFile(file, 'utf8')).toBe(content);
  });

  it('refuses a SQLite database of another program and leaves it untouched', async () => {
    const file = path.join(dir, 'other-app.sqlite');
    const db = new Database(file);
    db.exec(
      'CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5)',
    );
    db.close();
    const before = await readFile(file);
    const error = await openKeyvStateStore({ path: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(file);
    expect(await readFile(file)).toEqual(before);
  });

  it('refuses a Keyv SQLite file written by another program', async () => {
    const file = path.join(dir, 'other-keyv.sqlite');
    const db = new Database(file);
    db.exec(
      "CREATE TABLE keyv (key VARCHAR(255) PRIMARY KEY, value TEXT); INSERT INTO keyv VALUES ('keyv:x', '1')",
    );
    db.close();
    const error = await openKeyvStateStore({ path: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT count(*) AS n FROM keyv').get()).toEqual({ n: 1 });
    check.close();
  });

  it('refuses a damaged SQLite file', async () => {
    const file = path.join(dir, 'damaged.sqlite');
    const garbage = Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(4096, 0xab)]);
    await writeFile(file, garbage);
    const error = await openKeyvStateStore({ path: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(file);
    expect(await readFile(file)).toEqual(garbage);
  });

  it('names the directory it cannot create or write', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const target = path.join(blocker, 'sub', 'state.sqlite');
    const error = await openKeyvStateStore({ path: target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(path.join(blocker, 'sub'));
  });

  it('shares one file between namespaces', async () => {
    const file = path.join(dir, 'namespaces.sqlite');
    const a = await openKeyvStateStore({ path: file, namespace: 'one' });
    const b = await openKeyvStateStore({ path: file, namespace: 'two' });
    await a.add(['x', 'y']);
    await b.add(['z']);
    expect((await a.counts()).pending).toBe(2);
    expect((await b.counts()).pending).toBe(1);
    await a.close();
    await b.close();
  });
});

describe('KeyvStateStore on a caller-provided Keyv', () => {
  it('uses the Keyv namespace and exposes it as raw', async () => {
    const keyv = new Keyv({ namespace: 'mine' });
    const store = await openKeyvStateStore({ keyv });
    expect(store).toBeInstanceOf(KeyvStateStore);
    expect(store.raw).toBe(keyv);
    await store.add(['id1']);
    expect(await keyv.get('C')).toMatchObject({ pending: 1 });
    await store.close();
  });

  it('rejects empty IDs', async () => {
    const store = await openKeyvStateStore();
    await expect(store.add(['ok', ''])).rejects.toThrow(/invalid ID/);
    expect((await store.counts()).pending).toBe(0);
    await store.close();
  });
});

describe('KeyvStateStore heartbeats', () => {
  it('lists workers of every process on the file until their heartbeat ages out', async () => {
    const file = path.join(dir, 'workers.sqlite');
    const a = await openKeyvStateStore({ path: file, workerTtlMs: 150 });
    const b = await openKeyvStateStore({ path: file, workerTtlMs: 150 });
    const now = Date.now();
    await a.heartbeat({
      workerId: 'a',
      host: 'h',
      pid: 1,
      startedAt: now,
      lastSeen: now,
      inFlight: 3,
      rate: 9,
    });
    await b.heartbeat({
      workerId: 'b',
      host: 'h',
      pid: 2,
      startedAt: now,
      lastSeen: now,
      inFlight: 0,
      rate: 0,
    });
    expect((await a.workers()).map((w) => w.workerId).sort()).toEqual(['a', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await b.workers()).toEqual([]);
    await a.close();
    await b.close();
  });
});
