/**
 * Turns a driver's error into the core's StoreError, by its structure (the driver's error code),
 * never by its message: transient trouble (a lock, a server within its reconnect window) lets the
 * engine carry on; anything else stops the run with one line naming the file or URL and the fix.
 */
import path from 'node:path';
import { CrawlError, StoreError } from '../core/errors.js';
import { firstLine } from '../core/state-store-runtime/faults.js';

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLITE_BUSY and SQLITE_LOCKED (and their extended codes) pass once the other writer is done. */
export function isTransientSqliteCode(code: string | undefined): boolean {
  return code !== undefined && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code);
}

/**
 * A SQLite error (better-sqlite3 or sqlite3, both carry `code` = SQLITE_…) on `file`, met while
 * trying to `what`. `label` names the store in the message ("result store", "state store").
 */
export function sqliteFault(error: unknown, label: string, file: string, what: string): CrawlError {
  if (error instanceof CrawlError) return error;
  const code = codeOf(error);
  const detail = `${code ?? 'error'}: ${firstLine(error)}`;
  const base = (problem: string, hint: string, transient = false) =>
    new StoreError(`${label} ${file} ${problem} (cannot ${what}; ${detail})`, {
      cause: error,
      hint,
      transient,
    });
  if (isTransientSqliteCode(code))
    return base('is locked by another process', 'wait for the other writer, or stop it', true);
  if (code?.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return base(
      'is damaged',
      `stop all workers, keep a copy, then recover it (sqlite3 ${file} .recover) or move it away and run again`,
    );
  }
  if (code === 'SQLITE_FULL') {
    return base('cannot grow: the disk is full', `free space in ${path.dirname(file)} and run again`);
  }
  if (code?.startsWith('SQLITE_IOERR')) {
    return base(
      'had an I/O error',
      'check the disk (dmesg, free space, a removed or read-only drive) and run again',
    );
  }
  if (code?.startsWith('SQLITE_READONLY') || code?.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    return base('cannot be written', `check the permissions of ${file} and its directory`);
  }
  return base('failed', 'check the disk (space, permissions) and that the file is not damaged');
}

/** Node socket errors that mean "the server is not there (now)". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * A server that went away or is restarting: a socket code, SQLSTATE class 08 or 57P01-57P03, or no
 * code at all (pg raises its DatabaseError, always with a SQLSTATE, for everything the server says;
 * errors without one come from the connection: "terminated unexpectedly", a connect timeout).
 */
function isPostgresConnectionLoss(error: unknown): boolean {
  const code = codeOf(error);
  if (code === undefined) return true;
  return CONNECTION_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code);
}

/**
 * Tracks how long a server store has been unreachable: connection losses are transient within
 * `windowMs` of the first one (a restart, a network blip), fatal after it. Any success resets it.
 */
export class ReconnectWindow {
  private downSince: number | undefined;
  constructor(readonly windowMs: number) {}

  ok(): void {
    this.downSince = undefined;
  }

  /** Records a connection loss; true while still inside the window. */
  lost(now = Date.now()): boolean {
    this.downSince ??= now;
    return now - this.downSince < this.windowMs;
  }

  get downForMs(): number {
    return this.downSince === undefined ? 0 : Date.now() - this.downSince;
  }
}

/** A PostgreSQL error on `label` (a redacted URL) while trying to `what`. */
export function postgresFault(
  error: unknown,
  label: string,
  what: string,
  window: ReconnectWindow,
): CrawlError {
  if (error instanceof CrawlError) return error;
  const code = codeOf(error);
  const detail = `${code ? `${code}: ` : ''}${firstLine(error)}`;
  if (isPostgresConnectionLoss(error)) {
    const within = window.lost();
    return new StoreError(
      within
        ? `PostgreSQL at ${label} is not answering (cannot ${what}; ${detail})`
        : `PostgreSQL at ${label} unreachable for ${Math.round(window.downForMs / 1000)} s (cannot ${what}; ${detail})`,
      {
        cause: error,
        hint: 'start PostgreSQL or fix the network, then run again; unfinished users were returned to pending',
        transient: within,
      },
    );
  }
  if (code === '53100')
    return new StoreError(`PostgreSQL at ${label}: the disk is full (cannot ${what}; ${detail})`, {
      cause: error,
      hint: 'free space on the database server and run again',
    });
  if (code === 'XX001' || code === 'XX002')
    return new StoreError(`PostgreSQL at ${label}: data is damaged (cannot ${what}; ${detail})`, {
      cause: error,
      hint: 'repair the database (REINDEX, restore a backup) and run again',
    });
  if (code === '53300' || code === '55P03' || code === '40P01' || code === '40001')
    return new StoreError(`PostgreSQL at ${label} is busy (cannot ${what}; ${detail})`, {
      cause: error,
      hint: 'the server has too many connections or locks; it may pass',
      transient: true,
    });
  return new StoreError(`result store ${label}: cannot ${what}: ${detail}`, {
    cause: error,
    hint: 'check that PostgreSQL is running and the user may write the schema',
  });
}

/**
 * A Redis error on `label`. `ended` is the client's own state: true once ioredis gave up
 * reconnecting (its retry strategy returned null), which is when an outage became fatal.
 */
export function redisFault(error: unknown, label: string, ended: boolean): CrawlError {
  if (error instanceof CrawlError) return error;
  const detail = firstLine(error);
  const name = (error as { name?: unknown } | null)?.name;
  const code = codeOf(error);
  if (ended) {
    return new StoreError(`Redis at ${label} is unreachable and reconnecting gave up (${detail})`, {
      cause: error,
      hint: 'start Redis or fix the network, then run again; unfinished users were returned to pending when possible',
    });
  }
  // While reconnecting, ioredis fails commands with MaxRetriesPerRequestError (or a socket code).
  if (name === 'MaxRetriesPerRequestError' || (code && CONNECTION_CODES.has(code))) {
    return new StoreError(`Redis at ${label} is not answering (${detail})`, {
      cause: error,
      hint: 'Redis is reconnecting; the run stops if it does not come back',
      transient: true,
    });
  }
  return new StoreError(`Redis state store ${label}: ${detail}`, {
    cause: error,
    hint: 'check that Redis is running and reachable, that it has memory left, and the URL and password',
  });
}
