// The public `csdn-crawl/testing` entry: the CSDN replica and the conformance suites.

export { type BrowserDriverCapabilities, browserDriverConformance } from './conformance/browser-driver.js';
export { type FleetBudgetHandle, fleetBudgetConformance } from './conformance/fleet-budget.js';
export { type ResultStoreHandle, resultStoreConformance } from './conformance/result-store.js';
export {
  type StateStoreCapabilities,
  type StateStoreHandle,
  stateStoreConformance,
} from './conformance/state-store.js';
export * from './replica/index.js';
