/** Argument checks every state store shares; a bad argument is the caller's bug or bad input, never a store fault. */
import { InvalidInputError } from '../errors.js';
import { ID_SETS, type IdSet, type RetrySet } from '../state-store.js';

const OUTCOMES: ReadonlySet<string> = new Set(['done', 'notfound', 'failed']);

/** IDs to add: non-empty strings. Resolves with them without duplicates, first occurrence kept. */
export function checkNewIds(ids: readonly string[]): string[] {
  checkIdList(ids);
  for (const id of ids) {
    if (id.length === 0) {
      throw new InvalidInputError(`invalid ID ${JSON.stringify(id)}: IDs are non-empty strings`);
    }
  }
  return [...new Set(ids)];
}

/** IDs that should already be known (renew, release, remove): strings; duplicates are dropped. */
export function checkIdList(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw new InvalidInputError('IDs must be given as a list');
  for (const id of ids) {
    if (typeof id !== 'string') {
      throw new InvalidInputError(`invalid ID ${JSON.stringify(id)}: IDs are non-empty strings`);
    }
  }
  return [...new Set(ids)];
}

export function checkOwner(owner: string): void {
  if (typeof owner !== 'string' || owner.length === 0) {
    throw new InvalidInputError(`invalid lease owner ${JSON.stringify(owner)}: a non-empty string`);
  }
}

/** A count (claim n, promote n): a number; zero or less means nothing to do. */
export function checkCount(n: number, what: string): number {
  if (typeof n !== 'number' || Number.isNaN(n)) {
    throw new InvalidInputError(`invalid ${what} ${JSON.stringify(n)}: a number`);
  }
  return n <= 0 ? 0 : Math.floor(n);
}

export function checkLeaseMs(leaseMs: number): void {
  if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new InvalidInputError(`invalid lease time ${JSON.stringify(leaseMs)}: milliseconds above 0`);
  }
}

export function checkSet(set: IdSet): void {
  if (!ID_SETS.includes(set)) throw new InvalidInputError(`unknown ID set "${set}"`);
}

export function checkRetrySet(from: RetrySet): void {
  if (from !== 'failed' && from !== 'notfound') {
    throw new InvalidInputError(`cannot retry IDs of "${from}": only failed or notfound`);
  }
}

export function checkOutcome(outcome: string): void {
  if (!OUTCOMES.has(outcome)) {
    throw new InvalidInputError(`unknown outcome "${outcome}": done, notfound or failed`);
  }
}

export function checkAddTarget(to: string): void {
  if (to !== 'pending' && to !== 'backlog') {
    throw new InvalidInputError(`cannot add IDs to "${to}": only to pending or backlog`);
  }
}

/** A point in time (a due time, the clock of a claim): epoch milliseconds, a finite number. */
export function checkTime(time: number, what: string): void {
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new InvalidInputError(`invalid ${what} ${JSON.stringify(time)}: epoch milliseconds`);
  }
}
