import { InvalidInputError } from '../../core/errors.js';
import { openStateOnly } from '../../crawler/open-stores.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';
import { collectIds } from './ids-input.js';

type Print = (line: string) => void;

/**
 * Takes IDs out of every set: the way back from a wrong `add` (a typo, a file of junk). IDs are
 * removed as typed, without the validity check of `add`, so junk that an older version queued can
 * be removed too.
 */
export async function removeCommand(
  args: string[],
  flags: CommonFlags & { '--'?: string[] },
  print: Print,
): Promise<number> {
  const config = await configFromFlags(flags);
  const ids = (await collectIds(args, config.idsFile, flags['--'])).filter((id) => id.length > 0);
  if (ids.length === 0) {
    throw new InvalidInputError('no IDs to remove', { hint: 'pass IDs as arguments or with --ids-file' });
  }
  const state = await openStateOnly(config);
  try {
    const removed = await state.remove(ids);
    print(`removed ${removed} of ${ids.length} IDs (${ids.length - removed} were not queued)`);
  } finally {
    await state.close();
  }
  return EXIT.ok;
}
