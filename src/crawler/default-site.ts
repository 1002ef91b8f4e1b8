import type { ResolvedConfig } from '../config/schema.js';
import type { SiteAdapter } from '../core/site-adapter.js';
import { createCsdnAdapter } from '../sites/csdn/index.js';

/** The adapter the CLI and createCrawler use when none is given: CSDN at the configured origin. */
export function createSiteAdapter(config: Pick<ResolvedConfig, 'baseUrl'>): SiteAdapter {
  return createCsdnAdapter({ baseUrl: config.baseUrl });
}
