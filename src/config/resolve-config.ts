import { type ZodIssue, z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { type CrawlerConfig, configSchema, type ResolvedConfig } from './schema.js';

/** One source of settings, named so that errors can say where a bad value came from. */
export interface ConfigLayer {
  source: string;
  values: Record<string, unknown>;
}

/** Environment variables read, each mapped to a top-level key. */
export const ENV_KEYS: Record<string, keyof CrawlerConfig> = {
  CSDN_CRAWL_BASE_URL: 'baseUrl',
  CSDN_CRAWL_DATA_DIR: 'dataDir',
  CSDN_CRAWL_STORE: 'store',
  CSDN_CRAWL_RESULTS: 'results',
  CSDN_CRAWL_CONCURRENCY: 'concurrency',
  CSDN_CRAWL_DRIVER: 'driver',
  CSDN_CRAWL_WORKER_ID: 'workerId',
  CSDN_CRAWL_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  CSDN_CRAWL_USER_TIMEOUT_MS: 'userTimeoutMs',
  CSDN_CRAWL_STOP_TIMEOUT_MS: 'stopTimeoutMs',
};

export function envLayer(env: NodeJS.ProcessEnv = process.env): ConfigLayer {
  const values: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    values[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return { source: 'environment', values };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Later layers win; nested objects merge key by key. */
export function mergeLayers(layers: readonly ConfigLayer[]): Record<string, unknown> {
  const merge = (base: Record<string, unknown>, over: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(over)) {
      if (value === undefined) continue;
      out[key] =
        isPlainObject(value) && isPlainObject(out[key])
          ? merge(out[key] as Record<string, unknown>, value)
          : value;
    }
    return out;
  };
  return layers.reduce<Record<string, unknown>>((acc, layer) => merge(acc, layer.values), {});
}

function sourceOf(path: readonly (string | number)[], layers: readonly ConfigLayer[]): string {
  for (let i = layers.length - 1; i >= 0; i--) {
    let node: unknown = layers[i].values;
    for (const part of path) node = isPlainObject(node) ? node[part] : undefined;
    if (node !== undefined) return layers[i].source;
  }
  return layers.length > 0 ? layers[layers.length - 1].source : 'config';
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j];
        row[j] = Math.min(
          row[j] + 1,
          row[j - 1] + 1,
          prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
        );
        prev = cur;
      }
    }
    return row[b.length];
  };
  const best = candidates.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

function knownKeys(path: readonly (string | number)[]): string[] {
  let schema: z.ZodTypeAny = configSchema;
  for (const part of path) {
    schema = unwrap(schema);
    if (!(schema instanceof z.ZodObject)) return [];
    schema = schema.shape[part as string];
    if (!schema) return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The object under defaults, optionals and refinements (`refresh` checks min <= every <= max). */
function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = schema._def.innerType;
    else if (schema instanceof z.ZodEffects) schema = schema.innerType();
    else return schema;
  }
}

function describeIssue(issue: ZodIssue, layers: readonly ConfigLayer[]): string {
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const full = [...issue.path, key].join('.');
    const suggestion = closest(key, knownKeys(issue.path));
    const hint = suggestion ? ` (did you mean "${[...issue.path, suggestion].join('.')}"?)` : '';
    return `unknown config key "${full}" in ${sourceOf([...issue.path, key], layers)}${hint}`;
  }
  const source = sourceOf(issue.path, layers);
  if (issue.code === 'invalid_type') {
    return `config key "${where}" in ${source} must be ${issue.expected}, got ${issue.received}`;
  }
  // Only the first letter: a message may name other keys (maxRate), which must keep their case.
  const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  return `config key "${where}" in ${source}: ${message}`;
}

/**
 * Validate merged layers (lowest precedence first: file, env, flags) into a full config.
 * Throws ConfigError naming the first bad key and where it came from.
 */
export function resolveConfig(layers: readonly ConfigLayer[]): ResolvedConfig {
  const merged = mergeLayers(layers);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(describeIssue(first, layers), {
      hint: 'fix or remove that key; docs/config.md lists every key',
    });
  }
  return parsed.data;
}
