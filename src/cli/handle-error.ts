import { CrawlError, describeError } from '../core/errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

export class UsageError extends Error {}

/** How a fatal error reads: one line, plain or (under `--json`) one JSON object. */
export interface ErrorOutput {
  json?: boolean;
}

function classify(error: unknown): { code: number; kind: string; message: string; hint?: string } {
  if (error instanceof UsageError) return { code: EXIT.usage, kind: 'USAGE', message: error.message };
  if (error instanceof CrawlError) {
    return { code: exitCodeFor(error), kind: error.code, message: error.message, hint: error.hint };
  }
  const cacError = error as { name?: string; message?: string };
  if (cacError?.name === 'CACError') {
    return {
      code: EXIT.usage,
      kind: 'USAGE',
      message: String(cacError.message),
      hint: 'see csdn-crawl --help',
    };
  }
  return {
    code: EXIT.error,
    kind: 'BUG',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}

/** The last stop of every command: one line for known errors, a stack only for bugs. */
export function handleError(
  error: unknown,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  output: ErrorOutput = {},
): number {
  const { code, kind, message, hint } = classify(error);
  if (output.json) {
    write(
      JSON.stringify({
        time: new Date().toISOString(),
        level: 'error',
        message: kind === 'BUG' ? 'unexpected error' : message,
        ...(hint ? { hint } : {}),
        error: kind,
        exitCode: code,
        ...(kind === 'BUG' ? { stack: message } : {}),
      }),
    );
    return code;
  }
  if (kind === 'BUG') write(`csdn-crawl: unexpected error: ${message}`);
  else if (error instanceof CrawlError) write(`csdn-crawl: ${describeError(error)}`);
  else write(`csdn-crawl: ${message}${hint ? ` (${hint})` : ''}`);
  return code;
}
