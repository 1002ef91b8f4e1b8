import { CrawlError, StoreError } from '../errors.js';

/** The first line of an error's message (driver messages can carry stacks or SQL). */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

/**
 * Every error leaving a store is a CrawlError: ours pass as they are, a library's goes through the
 * backend's classifier (which knows its error codes), and without one becomes a StoreError that
 * stops the run with the store's name.
 */
export function toStoreFault(
  error: unknown,
  label: string,
  classify?: (error: unknown) => CrawlError,
): CrawlError {
  if (error instanceof CrawlError) return error;
  if (classify) return classify(error);
  return new StoreError(`${label} failed: ${firstLine(error)}`, {
    cause: error,
    hint: 'check that the store is reachable and has room, then run again',
  });
}
