import { configSchema } from '../../src/config/schema.js';
import { browserPoolSettings } from '../../src/crawler/page-pool.js';

/** The browser pool's settings when a config sets none: the schema's defaults, as a run gets them. */
export const defaultPoolSettings = browserPoolSettings(configSchema.parse({}).browser);
