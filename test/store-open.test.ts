import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, MissingDependencyError } from '../src/core/errors.js';
import { KeyvStateStore } from '../src/stores/keyv-state-store.js';
import {
  loadOptional,
  openResultStore,
  openStateStore,
  parseStoreSpec,
  redactUrl,
} from '../src/stores/open.js';
import { SqliteResultStore } from '../src/stores/sqlite-result-store.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csdn-open-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseStoreSpec', () => {
  it('recognises every kind of spec', () => {
    expect(parseStoreSpec('memory')).toEqual({ kind: 'memory', target: '' });
    expect(parseStoreSpec('./x/state.sqlite')).toEqual({
      kind: 'sqlite',
      target: path.resolve('x/state.sqlite'),
    });
    expect(parseStoreSpec('sqlite:///tmp/a.db')).toEqual({ kind: 'sqlite', target: '/tmp/a.db' });
    expect(parseStoreSpec('redis://h:6379/2').kind).toBe('redis');
    expect(parseStoreSpec('rediss://u:p@h:6380').kind).toBe('redis');
    expect(parseStoreSpec('postgres://h/db').kind).toBe('postgres');
    expect(parseStoreSpec('postgresql://h/db').kind).toBe('postgres');
  });

  it('rejects unknown schemes without echoing passwords', () => {
    expect(() => parseStoreSpec('mongodb://root:hunter2@h/db')).toThrow(InvalidInputError);
    expect(() => parseStoreSpec('mongodb://root:hunter2@h/db')).toThrow(/root:\*\*\*@h/);
    expect(() => parseStoreSpec('  ')).toThrow(/empty store spec/);
    expect(() => parseStoreSpec('sqlite://')).toThrow(/no file path/);
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('redis://user:pw@host:1/0')).toBe('redis://user:***@host:1/0');
    expect(redactUrl('rediss://:pw@host')).toBe('rediss://:***@host');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});

describe('openStateStore / openResultStore', () => {
  it('opens SQLite files, creating their directories', async () => {
    const statePath = path.join(dir, 'a', 'b', 'state.sqlite');
    const state = await openStateStore(statePath);
    expect(state).toBeInstanceOf(KeyvStateStore);
    expect(await state.add(['u1'])).toBe(1);
    await state.close();
    expect(existsSync(statePath)).toBe(true);
    const again = await openStateStore(`sqlite://${statePath}`);
    expect((await again.counts()).pending).toBe(1);
    await again.close();

    const resultsPath = path.join(dir, 'c', 'results.sqlite');
    const results = await openResultStore(resultsPath);
    expect(results).toBeInstanceOf(SqliteResultStore);
    await results.saveOutcome('u1', 'notfound', undefined, 1);
    await results.close();
    expect(existsSync(resultsPath)).toBe(true);
  });

  it('opens memory stores that forget on close', async () => {
    const state = await openStateStore('memory');
    await state.add(['x']);
    expect((await state.counts()).pending).toBe(1);
    await state.close();
    const results = await openResultStore('memory');
    await results.saveOutcome('x', 'failed', 'r', 1);
    expect((await results.counts()).users).toBe(1);
    await results.close();
  });

  it('refuses a store kind in the wrong role', async () => {
    await expect(openStateStore('postgres://u:secret@h/db')).rejects.toThrow(InvalidInputError);
    await expect(openStateStore('postgres://u:secret@h/db')).rejects.not.toThrow(/secret/);
    await expect(openResultStore('redis://127.0.0.1:6379')).rejects.toThrow(/Redis holds the crawl state/);
  });

  it('turns a missing optional package into MissingDependencyError with the install command', async () => {
    const error = await loadOptional(
      'csdn-crawl-no-such-package',
      () => import(/* @vite-ignore */ ['csdn-crawl-no-such-package', 'index.js'].join('/')),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as MissingDependencyError).hint).toBe('npm install csdn-crawl-no-such-package');
  });
});
