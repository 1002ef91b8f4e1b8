import { findConfigFile, loadConfigFile } from '../config/load-config-file.js';
import { type ConfigLayer, envLayer, resolveConfig } from '../config/resolve-config.js';
import type { ResolvedConfig } from '../config/schema.js';
import { InvalidInputError } from '../core/errors.js';
import { intFlag } from './numeric-flags.js';

/** Flags shared by the commands that touch the stores. */
export interface CommonFlags {
  config?: string;
  store?: string;
  results?: string;
  dataDir?: string;
  baseUrl?: string;
  concurrency?: number;
  driver?: string;
  workerId?: string;
  idsFile?: string;
  discover?: boolean;
  /** Follow lists stored as edges: `follows,fans`, `follows`, `fans` or `none`. */
  graph?: string;
  maxDepth?: number;
  stopTimeout?: number;
  /** `run --watch`: never drain, refresh users as they come due. */
  watch?: boolean;
  /** `run --metrics <port>`: serve Prometheus metrics on this port (host from the config). */
  metrics?: unknown;
}

function flagLayer(flags: CommonFlags): ConfigLayer {
  const values: Record<string, unknown> = {
    store: flags.store,
    results: flags.results,
    dataDir: flags.dataDir,
    baseUrl: flags.baseUrl,
    concurrency: flags.concurrency,
    driver: flags.driver,
    workerId: flags.workerId,
    idsFile: flags.idsFile,
    stopTimeoutMs: flags.stopTimeout,
    watch: flags.watch,
  };
  if (flags.discover !== undefined || flags.maxDepth !== undefined) {
    values.discovery = { enabled: flags.discover ?? true, maxDepth: flags.maxDepth };
  }
  if (flags.metrics !== undefined)
    values.metrics = { port: intFlag('metrics', flags.metrics, 9464, { min: 0, max: 65535 }) };
  if (flags.graph !== undefined) values.graph = graphFlag(String(flags.graph));
  // cac turns `--store 1` into a number; the schema wants the text the user typed.
  for (const key of ['store', 'results', 'dataDir', 'workerId', 'idsFile']) {
    if (typeof values[key] === 'number') values[key] = String(values[key]);
  }
  return { source: 'command-line flags', values };
}

function graphFlag(text: string): { follows: boolean; fans: boolean } {
  const lists = text.split(',').map((part) => part.trim());
  const valid = lists.every((l) => l === 'follows' || l === 'fans') || text.trim() === 'none';
  if (!valid || text.trim() === '') {
    throw new InvalidInputError(`--graph ${JSON.stringify(text)} names no follow list`, {
      hint: 'use --graph follows,fans, --graph follows, --graph fans or --graph none',
    });
  }
  return { follows: lists.includes('follows'), fans: lists.includes('fans') };
}

/** Precedence: flags > environment > config file > defaults. */
export async function configFromFlags(flags: CommonFlags, cwd = process.cwd()): Promise<ResolvedConfig> {
  const layers: ConfigLayer[] = [];
  const file = flags.config ?? findConfigFile(cwd);
  if (file) layers.push(await loadConfigFile(file));
  layers.push(envLayer());
  layers.push(flagLayer(flags));
  return resolveConfig(layers);
}
