export { type CsdnAdapterOptions, createCsdnAdapter } from './adapter.js';
export { CSDN_ID, normalizeCsdnId, RESERVED_PATHS } from './normalize-id.js';
export * from './parse-api.js';
export * from './parse-home.js';
export * from './parse-initial-state.js';
export * from './parse-legacy.js';
export * from './parse-number.js';
export { type CsdnUrls, csdnUrls } from './urls.js';
