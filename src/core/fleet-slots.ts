/**
 * The schedule every FleetBudget keeps. Time is cut into slots; each slot can be claimed by one
 * request start in the whole fleet, and a start waits for its slot to begin and must come within
 * the first `J` ms of it (a start woken later, on a busy machine, gives its slot up and takes
 * another). With slots of (1000 + J) / rate ms, starts in distinct slots are more than
 * (n - 1) x slot - J apart, so any 1-second window holds at most `rate` starts of the fleet.
 * J is 25 ms, late enough for the timers of a busy machine: the guarantee costs 2.5 % of the rate.
 * (A fixed window of `rate` points per second, the usual limiter, lets 2 x rate through across
 * a window boundary: rate at the end of one window, rate at the start of the next.)
 */
import { abortError, sleep } from './deadline.js';

/** What a budget's storage must offer: atomic slot claims, the hold per host and one clock. */
export interface SlotLedger {
  /** Claim slot `index` of the grid of `ratePerSecond` for `host`: true for the one claimer of the fleet. */
  claim(host: string, ratePerSecond: number, index: number): Promise<boolean>;
  /** Until when no start to `host` is allowed, on the ledger's clock (0: no hold). */
  heldUntil(host: string): Promise<number>;
  /** The fleet's clock (epoch ms): every worker must cut slots on the same one. */
  now(): number;
}

/** Wait for a free slot of `host` at `ratePerSecond` and for its start, outside any hold. */
export async function takeSlot(
  ledger: SlotLedger,
  host: string,
  ratePerSecond: number,
  signal?: AbortSignal,
): Promise<void> {
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be above 0, got ${ratePerSecond}`);
  const { slotMs, startWithinMs } = slotsOf(ratePerSecond);
  for (;;) {
    if (signal?.aborted) throw abortError(signal);
    const held = await ledger.heldUntil(host);
    if (held > ledger.now()) {
      await sleep(held - ledger.now(), signal);
      continue;
    }
    if (!Number.isFinite(ratePerSecond)) return;
    let index = Math.ceil(ledger.now() / slotMs);
    // Slots already claimed by others: try the next one, never one that has begun meanwhile.
    while (!(await ledger.claim(host, ratePerSecond, index)))
      index = Math.max(index + 1, Math.ceil(ledger.now() / slotMs));
    await sleep(index * slotMs - ledger.now(), signal);
    // A Retry-After or a wall seen by any worker while this one waited: its slot is given up.
    if ((await ledger.heldUntil(host)) > ledger.now()) continue;
    // (A timer may fire a millisecond early: that still counts as the slot's own start.)
    if (ledger.now() - index * slotMs < startWithinMs) return;
    // Woken too late for its slot: the slot under way, while its start is still open and free.
    const current = Math.floor(ledger.now() / slotMs);
    const open = () => ledger.now() - current * slotMs < startWithinMs;
    if (current > index && open() && (await ledger.claim(host, ratePerSecond, current)) && open()) return;
  }
}

/** The slot length and how soon after its beginning a start must come (see the top of the file). */
export function slotsOf(ratePerSecond: number): { slotMs: number; startWithinMs: number } {
  return { slotMs: (1000 + START_WITHIN_MS) / ratePerSecond, startWithinMs: START_WITHIN_MS };
}

const START_WITHIN_MS = 25;
