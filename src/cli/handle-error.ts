import { CrawlError, describeError } from '../core/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

export class UsageError extends Error {}

/** The last stop of every command: one line for known errors, a stack only for bugs. */
export function handleError(
  error: unknown,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): number {
  if (error instanceof UsageError) {
    write(`csdn-crawl: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof CrawlError) {
    write(`csdn-crawl: ${describeError(error)}`);
    return exitCodeFor(error);
  }
  const cacError = error as { name?: string; message?: string };
  if (cacError?.name === 'CACError') {
    write(`csdn-crawl: ${cacError.message} (see csdn-crawl --help)`);
    return EXIT.usage;
  }
  write(
    `csdn-crawl: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return EXIT.error;
}
