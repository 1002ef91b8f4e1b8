import type { ResolvedConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SiteAdapter } from '../../core/site-adapter.js';
import { openStateOnly } from '../../crawler/open-stores.js';
import { collectIds, reportInvalid } from './ids-input.js';

/** IDs from the config, the arguments (before and after `--`) and --ids-file; invalid ones summarised. */
export async function validIdsOrThrow(
  site: SiteAdapter,
  config: ResolvedConfig,
  args: readonly unknown[],
  afterDashes: readonly unknown[] | undefined,
  logger: Logger,
): Promise<string[]> {
  const raw = [...config.ids, ...(await collectIds(args, config.idsFile, afterDashes))];
  const valid = reportInvalid(site, raw, (line) => logger.warn(line));
  if (raw.length > 0 && valid.length === 0) {
    throw new InvalidInputError(`none of the ${raw.length} IDs given is valid`, {
      hint: 'CSDN IDs are letters, digits, _ and -, or a profile URL',
    });
  }
  return valid;
}

/** How many of the given IDs are looked up to explain a run that crawled nothing. */
const CHECKED = 20;

/**
 * A run that crawled nothing although IDs were given: say which were already crawled and how to
 * crawl them again, instead of ending silently.
 */
export async function hintAlreadyCrawled(
  config: ResolvedConfig,
  ids: readonly string[],
  logger: Logger,
): Promise<void> {
  const state = await openStateOnly(config);
  try {
    const finals: string[] = [];
    for (const id of ids.slice(0, CHECKED)) {
      const record = await state.get(id);
      if (record && (record.set === 'done' || record.set === 'notfound' || record.set === 'failed')) {
        finals.push(`${id} (${record.set})`);
      }
    }
    if (finals.length === 0) return;
    const first = finals[0].split(' ')[0];
    logger.info(
      `nothing to do: already crawled ${finals.slice(0, 5).join(', ')}${finals.length > 5 ? ' …' : ''}; to crawl again: csdn-crawl add --recrawl ${first} (then csdn-crawl run)`,
    );
  } finally {
    await state.close();
  }
}
