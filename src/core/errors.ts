/**
 * The error hierarchy. Every error the crawler raises carries a `code`; the retry policy
 * (`retry-policy.ts`) decides from the class alone whether to retry, wait or give up, so a
 * new adapter only has to throw the right class.
 */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'BLOCKED'
  | 'THROTTLED'
  | 'TIMEOUT'
  | 'PARSE'
  | 'DRIVER_CRASH'
  | 'CLICK_INTERCEPTED'
  | 'INVALID_INPUT'
  | 'NETWORK'
  | 'SITE_DOWN'
  | 'SITE_UNREACHABLE'
  | 'CONFIG'
  | 'STORE'
  | 'MISSING_DEPENDENCY'
  | 'ABORTED';

export interface CrawlErrorOptions {
  cause?: unknown;
  /** One line telling the user how to fix it, appended to the message shown by the CLI. */
  hint?: string;
  /** Path of saved evidence (screenshot, HTML) for this failure, when one was taken. */
  snapshot?: string;
}

export class CrawlError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  snapshot?: string;

  constructor(code: ErrorCode, message: string, options: CrawlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.snapshot = options.snapshot;
  }
}

/** The user does not exist (CSDN answers 200 with a 404 page). Final: never retried. */
export class NotFoundError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

export type BlockKind = 'challenge' | 'wall' | 'other';

/** A defence stood in the way: the 521 script challenge or the 403 bot wall. */
export class BlockedError extends CrawlError {
  readonly kind: BlockKind;
  readonly status?: number;
  constructor(kind: BlockKind, message: string, options?: CrawlErrorOptions & { status?: number }) {
    super('BLOCKED', message, options);
    this.kind = kind;
    this.status = options?.status;
  }
}

/** 429: wait `retryAfterMs` and try again without spending a retry. */
export class ThrottledError extends CrawlError {
  readonly retryAfterMs?: number;
  constructor(message: string, retryAfterMs?: number, options?: CrawlErrorOptions) {
    super('THROTTLED', message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A request, page operation or whole user passed its deadline. */
export class TimeoutError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('TIMEOUT', message, options);
  }
}

/** The site answered something we cannot read (HTML where JSON belongs, truncated JSON, absurd numbers). */
export class ParseError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('PARSE', message, options);
  }
}

/** The browser or its driver died or stopped answering: replace it and retry. */
export class DriverCrashError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('DRIVER_CRASH', message, options);
  }
}

/**
 * A click landed on another element (an overlay, a login wall, a cookie banner). Reported at once
 * instead of retrying until the deadline, so the site adapter can dismiss the overlay and retry.
 */
export class ClickInterceptedError extends CrawlError {
  readonly selector?: string;
  constructor(message: string, options?: CrawlErrorOptions & { selector?: string }) {
    super('CLICK_INTERCEPTED', message, options);
    this.selector = options?.selector;
  }
}

/** Bad input from the user (an ID, a flag, a file). Never retried. */
export class InvalidInputError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('INVALID_INPUT', message, options);
  }
}

/** Connection refused, reset, DNS failure, 5xx: transient trouble on the way to the site. */
export class NetworkError extends CrawlError {
  readonly status?: number;
  constructor(message: string, options?: CrawlErrorOptions & { status?: number }) {
    super('NETWORK', message, options);
    this.status = options?.status;
  }
}

/** The whole site stopped answering: not the user's fault, the user goes back to pending. */
export class SiteDownError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('SITE_DOWN', message, options);
  }
}

/**
 * The site never answered during this run, within `outage.firstContactTimeoutMs`: most likely a
 * wrong base URL or no network, not an outage. The run stops (exit 6) instead of waiting forever.
 */
export class SiteUnreachableError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('SITE_UNREACHABLE', message, options);
  }
}

/** Malformed configuration: an unknown key, a wrong type. */
export class ConfigError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('CONFIG', message, options);
  }
}

/**
 * A state or result store cannot be opened or written (corrupt file, unreachable server).
 * `transient` marks trouble that may pass by itself (a locked SQLite file, a server within its
 * reconnect window): the engine puts the user back and carries on. Any other store error stops
 * the run, as retrying a damaged file or a full disk only spins.
 */
export class StoreError extends CrawlError {
  readonly transient: boolean;
  constructor(message: string, options?: CrawlErrorOptions & { transient?: boolean }) {
    super('STORE', message, options);
    this.transient = options?.transient ?? false;
  }
}

/** A store error that retrying will not cure: the run must stop (exit 3), not loop. */
export function isFatalStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError && !error.transient;
}

/** An optional package or program (playwright-core, chromium, ioredis, pg) is missing. */
export class MissingDependencyError extends CrawlError {
  constructor(message: string, options?: CrawlErrorOptions) {
    super('MISSING_DEPENDENCY', message, options);
  }
}

/** Work stopped because the crawler was asked to stop. */
export class AbortedError extends CrawlError {
  constructor(message = 'aborted', options?: CrawlErrorOptions) {
    super('ABORTED', message, options);
  }
}

export function isCrawlError(error: unknown): error is CrawlError {
  return error instanceof CrawlError;
}

/** One line for humans: the message plus the fix, if the error carries one. */
export function describeError(error: unknown): string {
  if (error instanceof CrawlError) {
    const hint = error.hint ? ` (${error.hint})` : '';
    const snap = error.snapshot ? ` [evidence: ${error.snapshot}]` : '';
    return `${error.message}${hint}${snap}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
