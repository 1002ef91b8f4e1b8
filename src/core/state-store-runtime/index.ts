export type {
  Completion,
  Outcome,
  StateBackend,
  StateBackendCapabilities,
  StoredEntry,
} from './backend.js';
export { firstLine, toStoreFault } from './faults.js';
export { leaseOf, type StateRecord, toIdRecord } from './record.js';
export { StateStoreRuntime } from './runtime.js';
