import { describeError } from './errors.js';
import type { SiteAdapter } from './site-adapter.js';

/** Normalise every input through the adapter; duplicates collapse, invalid ones are returned with the reason. */
export function normalizeIds(
  site: SiteAdapter,
  inputs: readonly string[],
): { valid: string[]; invalid: { input: string; reason: string }[] } {
  const valid = new Set<string>();
  const invalid: { input: string; reason: string }[] = [];
  for (const input of inputs) {
    try {
      valid.add(site.normalizeId(input));
    } catch (error) {
      invalid.push({ input, reason: describeError(error) });
    }
  }
  return { valid: [...valid], invalid };
}
