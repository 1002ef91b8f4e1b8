// The CSDN replica: a deterministic local blog.csdn.net for tests, demos and benchmarks.
export { type ApiVariant, DEFAULT_API_VARIANT } from './api-variant.js';
export { CHALLENGE_COOKIE, solveChallenge } from './challenge.js';
export { type ClockSource, type ManualClock, manualClock } from './clock.js';
export { DRIFTS, type Drift, parseDrifts } from './drift.js';
export { FAULT_PRESETS, type FaultConfig, type FaultPreset, resolveFaults } from './faults.js';
export { type MinimalRequests, type MinimalRequestsInput, minimalRequests } from './minimal-requests.js';
export type { UserTruth } from './population.js';
export type { Replica, ReplicaOptions, ReplicaStats } from './replica-types.js';
export { startReplica } from './server.js';
