import { CrawlError } from '../core/errors.js';

/** Documented in docs/cli.md; scripts and supervisors rely on them. */
export const EXIT = {
  ok: 0,
  /** Unexpected error (a bug): the message and stack are printed. */
  error: 1,
  /** Bad input: unknown flag, bad flag value, malformed config, invalid IDs only, refused IDs file, busy port. */
  usage: 2,
  /** A store cannot be opened, read or written (corrupt/0-byte file, unreachable server, unwritable directory), or an --out path cannot be written. */
  store: 3,
  /** A required program or package is missing (Chromium, chromedriver, an optional npm package). */
  missingDependency: 4,
  /** The run finished but some users ended failed (see `csdn-crawl status`). */
  someFailed: 5,
  /** The site never answered in this run (wrong --base-url, no network); users went back to pending. */
  unreachable: 6,
  /** `doctor`: the site changed (a check names what); evidence saved under <dataDir>/doctor/. */
  siteDrift: 7,
  /** `doctor`: the site blocked the probes (security check, bot wall, throttling, no answer). */
  siteBlocked: 8,
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
