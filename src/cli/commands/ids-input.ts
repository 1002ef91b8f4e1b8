import { readIdsFile, shortenForMessage } from '../../config/read-ids-file.js';
import { normalizeIds } from '../../core/normalize-ids.js';
import type { SiteAdapter } from '../../core/site-adapter.js';

type Print = (line: string) => void;

/** Shown by name in the summary of rejected IDs; the rest are only counted. */
const SHOWN_INVALID = 5;

/** Arguments (including those after `--`) and the lines of `--ids-file`, in that order. */
export async function collectIds(
  args: readonly unknown[],
  idsFile: string | undefined,
  afterDashes: readonly unknown[] = [],
): Promise<string[]> {
  return [...args.map(String), ...afterDashes.map(String), ...(idsFile ? await readIdsFile(idsFile) : [])];
}

/**
 * Rejected IDs are summarised in one line (count, the first few cut to a sane length), so a
 * wrong file cannot flood the terminal; the valid rest proceed.
 */
export function reportInvalid(site: SiteAdapter, raw: readonly string[], print: Print): string[] {
  const { valid, invalid } = normalizeIds(site, raw);
  if (invalid.length === 1) {
    const { input, reason } = invalid[0];
    print(`skipped invalid ID ${JSON.stringify(shortenForMessage(input))}: ${reason}`);
  } else if (invalid.length > 1) {
    const shown = invalid
      .slice(0, SHOWN_INVALID)
      .map(({ input }) => JSON.stringify(shortenForMessage(input)))
      .join(', ');
    const more = invalid.length > SHOWN_INVALID ? ` and ${invalid.length - SHOWN_INVALID} more` : '';
    print(
      `skipped ${invalid.length} invalid IDs: ${shown}${more} (an ID is 1-64 letters, digits, _ or -, or a profile URL; one per line in --ids-file)`,
    );
  }
  return valid;
}
