// The public API of csdn-crawl: createCrawler, defineConfig, the interfaces, errors and the
// building blocks an adapter author or a script needs.
export { defineConfig } from './config/define-config.js';
export type { CrawlerConfig, ResolvedConfig } from './config/schema.js';
export type * from './core/browser-driver.js';
export { type BrowserPool, type BrowserPoolOptions, createBrowserPool } from './core/browser-pool.js';
export type * from './core/doctor.js';
export {
  type BrowserMode,
  type Crawler,
  createEngine,
  type EngineOptions,
  type EngineParts,
  type EngineSettings,
  type PagePool,
  type RunSummary,
} from './core/engine/index.js';
export * from './core/errors.js';
export type { CrawlerEvents, ProgressEvent } from './core/events.js';
export type { FleetBudget } from './core/fleet-budget.js';
export type * from './core/http-client.js';
export type * from './core/logger.js';
export { silentLogger } from './core/logger.js';
export { MemoryFleetBudget } from './core/memory-fleet-budget.js';
export type * from './core/model.js';
export type * from './core/result-store.js';
export { decide } from './core/retry-policy.js';
export type * from './core/site-adapter.js';
export { graphListLimit } from './core/site-adapter.js';
export type * from './core/state-store.js';
export { ID_SETS } from './core/state-store.js';
export {
  type Completion,
  type StateBackend,
  type StateBackendCapabilities,
  type StateRecord,
  StateStoreRuntime,
  type StoredEntry,
} from './core/state-store-runtime/index.js';
export { type CreateCrawlerOptions, type CsdnCrawler, createCrawler } from './crawler/create-crawler.js';
export {
  type EngineConfigParts,
  engineOptionsFromConfig,
  resolveEngineOptions,
} from './crawler/engine-options.js';
export { type DoctorOptions, type DoctorOutcome, runDoctor } from './doctor/run-doctor.js';
export { createHttpClient } from './drivers/http.js';
export { playwrightDriver } from './drivers/playwright.js';
export { seleniumDriver } from './drivers/selenium.js';
export { type ExportFormat, exportResults } from './export/export-results.js';
export { buildReport } from './report/index.js';
export { type CsdnAdapterOptions, createCsdnAdapter, normalizeCsdnId } from './sites/csdn/index.js';
export { openFleetBudget, openResultStore, openStateStore } from './stores/open.js';
