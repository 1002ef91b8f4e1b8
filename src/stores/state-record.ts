import type { StateRecord } from '../core/state-store-runtime/index.js';

/** The one-letter names records had in state format 1 (Keyv files, Redis hashes), by today's name. */
const LEGACY_NAMES: Record<string, keyof StateRecord> = {
  s: 'set',
  q: 'index',
  a: 'attempts',
  d: 'depth',
  u: 'updatedAt',
  e: 'enqueuedAt',
  r: 'reason',
  o: 'owner',
  x: 'leaseExpiresAt',
  oi: 'ownerIndex',
};

/**
 * A stored record in either spelling: records keep their old names until the ID next moves (its
 * record is then written anew), so a store may hold both for as long as it lives.
 */
export function decodeRecord(stored: unknown): StateRecord | undefined {
  if (stored === null || typeof stored !== 'object') return undefined;
  const fields = stored as Record<string, unknown>;
  if (typeof fields.set === 'string') return stored as StateRecord;
  if (typeof fields.s !== 'string') return undefined;
  const record: Record<string, unknown> = {};
  for (const [short, name] of Object.entries(LEGACY_NAMES)) {
    if (fields[short] !== undefined) record[name] = fields[short];
  }
  return record as unknown as StateRecord;
}
