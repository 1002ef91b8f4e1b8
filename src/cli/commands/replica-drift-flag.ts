import { InvalidInputError } from '../../core/errors.js';
import { DRIFTS, type Drift, parseDrifts } from '../../testing/replica/index.js';

/** `--drift a,b` of `csdn-crawl replica`: the named drifts, or a one-line error naming the unknown one. */
export function checkDrifts(list: string | undefined): Drift[] {
  const { drifts, unknown } = parseDrifts(list);
  if (unknown.length > 0) {
    throw new InvalidInputError(`unknown drift ${JSON.stringify(unknown[0])}`, {
      hint: `use a comma-separated list of ${DRIFTS.join(', ')}`,
    });
  }
  return drifts;
}
