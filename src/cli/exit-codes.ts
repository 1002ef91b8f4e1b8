import { CrawlError } from '../core/errors.js';

/** Documented in docs/cli.md; scripts and supervisors rely on them. */
export const EXIT = {
  ok: 0,
  /** Unexpected error (a bug): the message and stack are printed. */
  error: 1,
  /** Bad input: unknown flag, malformed config, invalid IDs only. */
  usage: 2,
  /** A store cannot be opened or written (corrupt file, unreachable Redis/PostgreSQL, unwritable directory). */
  store: 3,
  /** A required program or package is missing (Chromium, chromedriver, an optional npm package). */
  missingDependency: 4,
  /** The run finished but some users ended failed (see `csdn-crawl status`). */
  someFailed: 5,
  /** The site never answered in this run (wrong --base-url, no network); users went back to pending. */
  unreachable: 6,
  /** Stopped by SIGINT (one signal: graceful; the state is consistent). */
  interrupted: 130,
  /** Stopped by SIGTERM. */
  terminated: 143,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof CrawlError)) return EXIT.error;
  switch (error.code) {
    case 'CONFIG':
    case 'INVALID_INPUT':
      return EXIT.usage;
    case 'STORE':
      return EXIT.store;
    case 'MISSING_DEPENDENCY':
      return EXIT.missingDependency;
    case 'SITE_UNREACHABLE':
      return EXIT.unreachable;
    case 'ABORTED':
      return EXIT.interrupted;
    default:
      return EXIT.error;
  }
}
