import path from 'node:path';
import { resolveConfig } from '../config/resolve-config.js';
import type { CrawlerConfig, ResolvedConfig } from '../config/schema.js';
import {
  ENGINE_TUNING,
  type EngineOptions,
  type EngineParts,
  type EngineSettings,
} from '../core/engine/index.js';

/** The live parts plus what the config does not hold: the lease owner (a worker slot or `config.workerId`). */
export interface EngineConfigParts extends EngineParts {
  workerId: string;
}

function browserMode(driver: ResolvedConfig['driver']): EngineSettings['browserMode'] {
  if (driver === 'http') return 'never';
  return driver === 'auto' ? 'when-needed' : 'always';
}

/**
 * The engine's settings from a resolved config: the config schema is the one table of defaults
 * (the engine has none); settings the schema lacks come from `ENGINE_TUNING`. Typed against
 * `EngineSettings`, so tsc checks that the schema's output still satisfies core's interfaces.
 */
function gapOf(rate: number): number {
  return Number.isFinite(rate) ? Math.round(1000 / rate) : 0;
}

export function engineOptionsFromConfig(config: ResolvedConfig, parts: EngineConfigParts): EngineOptions {
  const settings: EngineSettings = {
    ...ENGINE_TUNING,
    concurrency: config.concurrency,
    politeness: {
      maxInFlightPerHost: config.politeness.maxInFlightPerHost,
      // The gap before the controller's first word; the fixed gap when the rate does not adapt.
      minDelayMs: gapOf(config.politeness.adaptive ? config.politeness.startRate : config.politeness.maxRate),
    },
    // The old `minDelayMs` key (and `adaptive: false`) keeps a fixed rate; otherwise the rate adapts per host.
    rateControl: config.politeness.adaptive
      ? {
          startRate: config.politeness.startRate,
          minRate: config.politeness.minRate,
          maxRate: config.politeness.maxRate,
        }
      : undefined,
    retries: config.retries,
    requestTimeoutMs: config.requestTimeoutMs,
    userTimeoutMs: config.userTimeoutMs,
    leaseMs: config.leaseMs,
    stopTimeoutMs: config.stopTimeoutMs,
    workerId: parts.workerId,
    discovery: config.discovery,
    graph: config.graph,
    outage: config.outage,
    browserMode: browserMode(config.driver),
    snapshotsDir: config.snapshots.dir ?? path.join(config.dataDir, 'snapshots'),
    snapshotCapBytes: config.snapshots.maxBytes,
    promoteBacklog: config.autoPromote,
    refresh: {
      everyMs: config.refresh.every,
      notfoundEveryMs: config.refresh.notfoundEvery,
      minMs: config.refresh.min,
      maxMs: config.refresh.max,
      jitter: config.refresh.jitter,
      adaptive: config.refresh.adaptive,
    },
    watch: config.watch,
  };
  return { ...parts, ...settings };
}

/**
 * Engine options for a script that builds its own engine: `config` (any subset of the config
 * file's keys) is validated and completed by the same schema as `createCrawler`'s, so the engine
 * behaves exactly as it would under `createCrawler` or the CLI.
 */
export function resolveEngineOptions(config: CrawlerConfig, parts: EngineConfigParts): EngineOptions {
  const resolved = resolveConfig([
    { source: 'resolveEngineOptions()', values: config as Record<string, unknown> },
  ]);
  return engineOptionsFromConfig(resolved, parts);
}
