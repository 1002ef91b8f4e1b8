import type { IdRecord, IdSet, Lease } from '../state-store.js';

/**
 * What a state backend keeps per ID, with the same names in every backend (the Keyv JSON value,
 * the Redis hash field). `index` and `ownerIndex` are positions in list-shaped backends (Keyv);
 * backends that order by other means (Redis sorted sets) leave them out.
 */
export interface StateRecord {
  set: IdSet;
  /** Position of the ID's entry in its set's list. */
  index?: number;
  /** Claims so far. */
  attempts: number;
  /** Discovery depth (0 for IDs the user gave). */
  depth: number;
  updatedAt: number;
  /** When it entered pending; results stored after it answer this request to crawl it. */
  enqueuedAt?: number;
  /** Why it failed, for failed IDs. */
  reason?: string;
  /** Lease holder and expiry, while leased. */
  owner?: string;
  leaseExpiresAt?: number;
  /** Position of the ID's entry in its owner's list, while leased. */
  ownerIndex?: number;
  /** When its next refresh is due, while in done or notfound and scheduled. */
  dueAt?: number;
  /** Position of the ID's entry in its due slot's list (Keyv), while scheduled. */
  dueIndex?: number;
  /** Claimed because its refresh was due; kept while leased or released, cleared when it completes. */
  refresh?: boolean;
}

/** A record as `list()` and `get()` show it. */
export function toIdRecord(id: string, record: StateRecord): IdRecord {
  const out: IdRecord = {
    id,
    set: record.set,
    attempts: record.attempts,
    depth: record.depth,
    updatedAt: record.updatedAt,
  };
  // Lua's cjson turns a cleared field into null.
  if (record.reason !== undefined && record.reason !== null) out.reason = record.reason;
  if (typeof record.dueAt === 'number') out.dueAt = record.dueAt;
  if (record.set === 'leased') {
    out.owner = record.owner;
    out.expiresAt = record.leaseExpiresAt;
  }
  return out;
}

/** The lease a claim hands out for a record just moved to leased (its attempts already counted). */
export function leaseOf(id: string, record: StateRecord): Lease {
  const lease: Lease = {
    id,
    owner: record.owner ?? '',
    expiresAt: record.leaseExpiresAt ?? 0,
    attempts: record.attempts - 1,
    enqueuedAt: record.enqueuedAt ?? record.updatedAt,
    depth: record.depth,
  };
  if (record.refresh === true) lease.refresh = true;
  return lease;
}
