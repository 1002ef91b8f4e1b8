import { defaultResultsSpec, defaultStateSpec, ensureDataDir, isLocalSpec } from '../config/data-dir.js';
import type { ResolvedConfig } from '../config/schema.js';
import type { FleetBudget } from '../core/fleet-budget.js';
import type { ResultStore } from '../core/result-store.js';
import type { StateStore } from '../core/state-store.js';
import { openResultStore, openStateStore } from '../stores/open.js';

export interface OpenedStores {
  state: StateStore;
  results: ResultStore;
  close(): Promise<void>;
}

/** Open the configured stores; if the second fails, the first is closed again. */
export async function openStores(config: ResolvedConfig): Promise<OpenedStores> {
  const stateSpec = defaultStateSpec(config);
  const resultsSpec = defaultResultsSpec(config);
  if (isLocalSpec(stateSpec) || isLocalSpec(resultsSpec)) ensureDataDir(config.dataDir);
  const state = await openStateStore(stateSpec);
  let results: ResultStore;
  try {
    results = await openResultStore(resultsSpec);
  } catch (error) {
    await state.close().catch(() => {});
    throw error;
  }
  return {
    state,
    results,
    async close() {
      await Promise.allSettled([state.close(), results.close()]);
    },
  };
}

export async function openStateOnly(config: ResolvedConfig): Promise<StateStore> {
  const spec = defaultStateSpec(config);
  if (isLocalSpec(spec)) ensureDataDir(config.dataDir);
  return openStateStore(spec);
}

/**
 * The budget the workers of a fleet share, when the state store offers one (Redis: same server,
 * same prefix) and `politeness.fleetBudget` is on; undefined: the budget is this worker's alone.
 */
export function fleetBudgetFor(config: ResolvedConfig, state: StateStore): FleetBudget | undefined {
  if (!config.politeness.fleetBudget) return undefined;
  const offer = (state as { fleetBudget?: unknown }).fleetBudget;
  return typeof offer === 'function' ? (offer.call(state) as FleetBudget) : undefined;
}
