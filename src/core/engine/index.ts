/** The crawl engine as a folder of parts; this is what the rest of the code imports. */

export type { CrawlerEvents, ProgressEvent } from '../events.js';
export { createEngine } from './create-engine.js';
export { ENGINE_TUNING, GRAPH_OFF } from './tuning.js';
export type {
  BrowserMode,
  Crawler,
  EngineOptions,
  EngineParts,
  EngineSettings,
  OutageSettings,
  PagePool,
  RunSummary,
} from './types.js';
