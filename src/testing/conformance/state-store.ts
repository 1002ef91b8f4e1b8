import { afterEach, beforeEach, describe } from 'vitest';
import type { StateStore } from '../../core/state-store.js';
import { bookkeepingCases } from './state-store-bookkeeping.js';
import { dueCases } from './state-store-due.js';
import { leaseCases } from './state-store-leases.js';
import { queueCases } from './state-store-queue.js';
import type { StateStoreCapabilities, StateStoreHandle, StateStoreSuite } from './state-store-suite.js';

export type { StateStoreCapabilities, StateStoreHandle } from './state-store-suite.js';

/**
 * The shared StateStore suite (Keyv's test-suite idea): every implementation runs the same
 * behaviour checks. Call it inside a test file; it declares its own describe/it blocks.
 */
export function stateStoreConformance(
  name: string,
  factory: () => Promise<StateStoreHandle>,
  capabilities: StateStoreCapabilities = {},
): void {
  describe(`StateStore conformance: ${name}`, () => {
    let handle: StateStoreHandle;
    let store: StateStore;

    beforeEach(async () => {
      handle = await factory();
      store = handle.store;
    });

    afterEach(async () => {
      await handle.cleanup();
    });

    const suite: StateStoreSuite = {
      get store() {
        return store;
      },
      get handle() {
        return handle;
      },
      capabilities,
    };
    queueCases(suite);
    leaseCases(suite);
    bookkeepingCases(suite);
    dueCases(suite);
  });
}
