import type { CrawlerConfig } from './schema.js';

/** Identity function that gives a config file type checking and completion. */
export function defineConfig(config: CrawlerConfig): CrawlerConfig {
  return config;
}
