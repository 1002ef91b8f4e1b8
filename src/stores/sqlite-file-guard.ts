import { constants } from 'node:fs';
import { access, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../core/errors.js';

const SQLITE_HEADER = 'SQLite format 3\u0000';

export interface SqliteFileState {
  /** Absolute path of the file. */
  file: string;
  /** True when the file exists with content (an existing database to check before use). */
  existing: boolean;
}

/**
 * Checks a SQLite path before any library touches it: the directory is created and writable, and an
 * existing file really is a SQLite database. Nothing is written to the file itself, so a foreign file
 * handed over by mistake is never damaged.
 */
export async function prepareSqliteFile(target: string, what: string): Promise<SqliteFileState> {
  const file = path.resolve(target);
  const dir = path.dirname(file);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new StoreError(`cannot create directory ${dir} for the ${what}`, {
      cause: error,
      hint: 'create it yourself or choose another path',
    });
  }
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new StoreError(`directory ${dir} is not writable (needed for the ${what})`, {
      cause: error,
      hint: 'fix its permissions or choose another path',
    });
  }
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) {
      throw new StoreError(`${file} is not a file (expected the ${what})`, {
        hint: 'choose a file path, not a directory',
      });
    }
    size = info.size;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, existing: false };
    throw new StoreError(`cannot read ${file} (the ${what})`, {
      cause: error,
      hint: 'check its permissions',
    });
  }
  // A 0-byte file is what a truncated copy or a full disk leaves: starting over in it would silently
  // forget the whole crawl, so the user decides.
  if (size === 0) throw emptyFile(file, what);
  try {
    await access(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new StoreError(`${file} is not writable (the ${what})`, {
      cause: error,
      hint: 'fix its permissions or choose another path',
    });
  }
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    await handle.read(buffer, 0, 16, 0);
    if (buffer.toString('latin1') !== SQLITE_HEADER)
      throw foreignFile(file, what, 'is not a SQLite database');
  } finally {
    await handle.close();
  }
  return { file, existing: true };
}

export function foreignFile(file: string, what: string, problem: string, cause?: unknown): StoreError {
  return new StoreError(`${file} ${problem}, so it cannot be used as the ${what}`, {
    cause,
    hint: 'it was left untouched: move it away or pass another path',
  });
}

/** Lists the tables of an existing SQLite file through a read-only connection. */
export async function readSqliteTables(
  file: string,
  what: string,
  probe?: (db: import('better-sqlite3').Database) => void,
): Promise<string[]> {
  const { default: Database } = await import('better-sqlite3');
  let db: import('better-sqlite3').Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    probe?.(db);
    return rows.map((row) => row.name);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw foreignFile(file, what, 'is damaged or not a SQLite database', error);
  } finally {
    db?.close();
  }
}

export function emptyFile(file: string, what: string): StoreError {
  return new StoreError(`${file} is empty (0 bytes), so it is not used as the ${what}`, {
    hint: 'restore it from a backup, or delete it to start a new one',
  });
}
