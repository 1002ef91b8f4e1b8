/**
 * A FleetBudget in memory: for several crawlers (engines) in one process, which then keep one
 * budget per host together, and the reference the Redis budget is held to (one conformance suite).
 */
import type { FleetBudget } from './fleet-budget.js';
import { type SlotLedger, slotsOf, takeSlot } from './fleet-slots.js';

/** Claimed slots are forgotten once they are this far in the past (claims are for slots ahead or under way). */
const SLOT_MEMORY_MS = 5_000;

export class MemoryFleetBudget implements FleetBudget {
  private readonly claimed = new Map<string, number>();
  private readonly holds = new Map<string, number>();
  private readonly rates = new Map<string, number>();
  private readonly ledger: SlotLedger = {
    claim: async (host, rate, index) => {
      const key = `${host} ${rate} ${index}`;
      if (this.claimed.has(key)) return false;
      this.forgetOldSlots();
      this.claimed.set(key, index * slotsOf(rate).slotMs);
      return true;
    },
    heldUntil: async (host) => this.holds.get(host) ?? 0,
    now: () => Date.now(),
  };

  take(host: string, ratePerSecond: number, signal?: AbortSignal): Promise<void> {
    return takeSlot(this.ledger, host, ratePerSecond, signal);
  }

  async hold(host: string, untilMs: number): Promise<void> {
    if (untilMs > (this.holds.get(host) ?? 0)) this.holds.set(host, untilMs);
  }

  async heldUntil(host: string): Promise<number> {
    const until = this.holds.get(host) ?? 0;
    return until > Date.now() ? until : 0;
  }

  async rate(host: string): Promise<number | undefined> {
    return this.rates.get(host);
  }

  async setRate(host: string, ratePerSecond: number, options?: { ifUnset?: boolean }): Promise<void> {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be above 0, got ${ratePerSecond}`);
    if (options?.ifUnset && this.rates.has(host)) return;
    this.rates.set(host, ratePerSecond);
  }

  async close(): Promise<void> {}

  private forgetOldSlots(): void {
    if (this.claimed.size < 1000) return;
    const before = Date.now() - SLOT_MEMORY_MS;
    for (const [key, startsAt] of this.claimed) if (startsAt < before) this.claimed.delete(key);
  }
}
