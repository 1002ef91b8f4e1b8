import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { isFatalStoreError, StoreError } from '../../src/core/errors.js';
import { postgresFault, ReconnectWindow, sqliteFault } from '../../src/stores/store-fault.js';

/** The error a real driver call throws (the classification reads its structure, never its text). */
function caught(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('store errors classified by the driver code, from real drivers', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-classify-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('SQLite: a lock held by another connection is transient', () => {
    const file = path.join(root, 'busy.sqlite');
    const holder = new Database(file);
    holder.exec('CREATE TABLE t (x)');
    holder.exec('BEGIN IMMEDIATE');
    const other = new Database(file, { timeout: 0 });
    try {
      const error = caught(() => other.exec('BEGIN IMMEDIATE'));
      const fault = sqliteFault(error, 'result store', file, 'save a user');
      expect(fault).toBeInstanceOf(StoreError);
      expect(isFatalStoreError(fault)).toBe(false);
      expect(fault.message).toContain('locked');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      other.close();
    }
  });

  it('SQLite: a file that is not a database is fatal and names the file', () => {
    const file = path.join(root, 'notadb.sqlite');
    writeFileSync(file, 'x'.repeat(4096));
    const db = new Database(file);
    try {
      const error = caught(() => db.prepare('SELECT * FROM sqlite_master').all());
      expect((error as { code?: string }).code).toBe('SQLITE_NOTADB');
      const fault = sqliteFault(error, 'result store', file, 'read a user');
      expect(isFatalStoreError(fault)).toBe(true);
      expect(fault.message).toContain(file);
      expect(fault.message).toContain('damaged');
    } finally {
      db.close();
    }
  });

  it('PostgreSQL: a server error is fatal, a refused connection transient until the window closes', async () => {
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
    let serverError: unknown;
    try {
      await client.query('SELECT * FROM csdn_crawl_no_such_table_at_all');
    } catch (error) {
      serverError = error;
    } finally {
      await client.end();
    }
    expect((serverError as { code?: string }).code).toBe('42P01');
    expect(isFatalStoreError(postgresFault(serverError, 'pg', 'read', new ReconnectWindow(30_000)))).toBe(
      true,
    );

    const refused = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    const connectError = await refused.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((connectError as { code?: string }).code).toBe('ECONNREFUSED');
    const window = new ReconnectWindow(30_000);
    expect(isFatalStoreError(postgresFault(connectError, 'pg', 'read', window))).toBe(false);
    const closed = new ReconnectWindow(0);
    const fault = postgresFault(connectError, 'pg', 'read', closed);
    expect(isFatalStoreError(fault)).toBe(true);
    expect(fault.message).toContain('unreachable');
  });
});
