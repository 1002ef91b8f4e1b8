import { z } from 'zod';
import { BROWSER_DRIVER_NAMES, type BrowserDriverName } from '../drivers/registry.js';
import { durationMs } from './duration.js';

type DriverChoice = 'auto' | 'http' | BrowserDriverName;
/** `auto` and `http` plus every browser driver of the registry: adding a driver adds its name here. */
const DRIVER_CHOICES = ['auto', 'http', ...BROWSER_DRIVER_NAMES] as [DriverChoice, ...DriverChoice[]];

/**
 * Every configuration key, its type and its default. `.strict()` everywhere: an unknown or
 * misspelt key is an error naming it rather than a silently ignored setting.
 */
const browserSchema = z
  .object({
    /** Path of Chromium; found on PATH (chromium, chromium-browser, google-chrome) when unset. */
    executablePath: z.string().min(1).optional(),
    /** Path of chromedriver for the selenium driver; found on PATH when unset. */
    driverPath: z.string().min(1).optional(),
    /** Number of browsers in the pool. */
    browsers: z.number().int().min(1).max(32).default(1),
    /** Tabs open at once in each browser. */
    pagesPerBrowser: z.number().int().min(1).max(16).default(2),
    /** A browser is retired and replaced after this many pages. */
    maxPagesPerBrowser: z.number().int().min(1).default(100),
    /** A browser is retired and replaced after this many milliseconds. */
    maxBrowserAgeMs: z
      .number()
      .int()
      .min(1000)
      .default(30 * 60_000),
    /** Deadline of one page operation (navigation, click, wait). */
    pageTimeoutMs: z.number().int().min(100).default(30_000),
  })
  .strict();

/**
 * The request rate per host adapts (src/core/rate-controller.ts) between `minRate` and `maxRate`
 * (request starts per second). The defaults are for the real site, which publishes no limit:
 * public CSDN clients pace themselves at 250 ms to 7 s between requests, so the ceiling is the
 * fastest of them (4/s) and the floor about the slowest (one request per 7 s).
 */
const RATE_DEFAULTS = { maxRate: 4, minRate: 0.15, startRate: 2 } as const;
const rate = z.number().positive();

const politenessSchema = z
  .object({
    maxInFlightPerHost: z.number().int().min(1).default(4),
    /** Ceiling of the adaptive rate, request starts per second per host. */
    maxRate: rate.optional(),
    /** Floor: however often the site pushes back, never slower than this. */
    minRate: rate.optional(),
    /** The rate a host starts at, raised while the site answers well. */
    startRate: rate.optional(),
    /** false: a fixed rate of `maxRate` starts per second, whatever the site answers. */
    adaptive: z.boolean().optional(),
    /** The old key: a fixed gap between request starts (no adaptation). */
    minDelayMs: z.number().int().min(0).optional(),
    /**
     * With a Redis state store, every worker of the crawl (same Redis, same prefix) keeps one
     * budget per host together: the rate of starts, Retry-After and wall holds, the adaptive rate.
     * false: each worker keeps its own, as with a local state store.
     */
    fleetBudget: z.boolean().default(true),
  })
  .strict()
  .superRefine((p, ctx) => {
    const rates = (['maxRate', 'minRate', 'startRate', 'adaptive'] as const).filter(
      (k) => p[k] !== undefined,
    );
    if (p.minDelayMs !== undefined && rates.length > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['minDelayMs'],
        message: `is the old fixed gap and cannot be mixed with ${rates.join(', ')}: drop minDelayMs (minDelayMs 250 = maxRate 4)`,
      });
      return;
    }
    // Defaults follow what was set (a lower ceiling pulls the start and the floor down with it);
    // only values set by hand can contradict each other.
    const r = { ...RATE_DEFAULTS, ...p };
    const badStart = p.startRate !== undefined && !(r.minRate <= r.startRate && r.startRate <= r.maxRate);
    const badFloor = p.minRate !== undefined && r.minRate > r.maxRate;
    if (badStart || badFloor)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [badStart ? 'startRate' : 'minRate'],
        message: `needs minRate <= startRate <= maxRate, got ${r.minRate}, ${r.startRate}, ${r.maxRate}`,
      });
  })
  // The resolved form is valid input again (createCrawler resolves what the CLI resolved), so it
  // holds no derived key: the limiter's first gap comes from the rates in engine-options.ts.
  .transform((p) => {
    if (p.minDelayMs !== undefined) {
      const fixed = p.minDelayMs > 0 ? 1000 / p.minDelayMs : Number.POSITIVE_INFINITY;
      return {
        maxInFlightPerHost: p.maxInFlightPerHost,
        fleetBudget: p.fleetBudget,
        adaptive: false,
        maxRate: fixed,
        minRate: fixed,
        startRate: fixed,
      };
    }
    const maxRate = p.maxRate ?? RATE_DEFAULTS.maxRate;
    const minRate = Math.min(p.minRate ?? RATE_DEFAULTS.minRate, maxRate);
    const startRate = Math.min(Math.max(p.startRate ?? RATE_DEFAULTS.startRate, minRate), maxRate);
    return {
      maxInFlightPerHost: p.maxInFlightPerHost,
      fleetBudget: p.fleetBudget,
      adaptive: p.adaptive ?? true,
      maxRate,
      minRate,
      startRate,
    };
  });

const retriesSchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).default(4),
    baseDelayMs: z.number().int().min(0).default(1000),
    maxDelayMs: z.number().int().min(0).default(60_000),
  })
  .strict();

const outageSchema = z
  .object({
    /** Connection-level failures in a row (resets, refusals, timeouts, 5xx) that mark the site down. */
    failureThreshold: z.number().int().min(1).default(8),
    /** Longest wait between two probes of a site that is down: how late the crawl may resume. */
    maxProbeDelayMs: z.number().int().min(100).default(30_000),
    /**
     * A site that never answered in this run is given up after this long (exit 6), as a wrong
     * base URL or a missing network is not an outage to wait out.
     */
    firstContactTimeoutMs: z.number().int().min(1000).default(60_000),
  })
  .strict();

const discoverySchema = z
  .object({
    enabled: z.boolean().default(false),
    maxDepth: z.number().int().min(0).default(1),
    maxPerUser: z.number().int().min(0).default(200),
  })
  .strict();

/** The follow graph as data; discovery (above) only decides whether neighbours are queued. */
const graphSchema = z
  .object({
    /** Read and store whom each user follows. */
    follows: z.boolean().default(true),
    /** Read and store each user's fans. */
    fans: z.boolean().default(true),
    /** Names read from one follows list at most. */
    maxFollows: z.number().int().min(0).default(1000),
    /** Names read from one fans list at most (popular users have tens of thousands). */
    maxFans: z.number().int().min(0).default(200),
  })
  .strict();

const snapshotsSchema = z
  .object({
    /** Directory for failure evidence; default `<dataDir>/snapshots`. */
    dir: z.string().min(1).optional(),
    /** Total size cap of the snapshots directory. */
    maxBytes: z
      .number()
      .int()
      .min(0)
      .default(200 * 1024 * 1024),
  })
  .strict();

/**
 * Profiles over time (docs/watching.md): when done and notfound users are crawled again. Daily by
 * default, as CSDN's counters move daily and a day is what a cron job runs at; an unchanged user
 * backs off to a week, a changing one comes back down to 6 hours (4 per day is plenty for charts
 * and cheap for the site). Durations: milliseconds or text (`'6h'`, `'7d'`), at least a second: under a
 * minute is for tests and demos on a replica whose day passes in seconds.
 */
const refreshSchema = z
  .object({
    /** Interval of a user's first refresh (and of every one with `adaptive: false`). */
    every: durationMs(1000).default('24h'),
    /** Interval of a user judged not found: a deleted or renamed account rarely comes back. */
    notfoundEvery: durationMs(1000).default('7d'),
    /** Shortest interval of a user whose data keeps changing. */
    min: durationMs(1000).default('6h'),
    /** Longest interval of a user whose data does not change. */
    max: durationMs(1000).default('7d'),
    /**
     * Due times spread by ± this fraction (a factor fixed per user), so users added together do
     * not all come due in the same minute. At most 0.2, so the interval stays readable from the state.
     */
    jitter: z.number().min(0).max(0.2).default(0.1),
    /** Halve the interval of a user whose profile or articles changed, double it otherwise. */
    adaptive: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.min <= r.every && r.every <= r.max, {
    message: 'refresh needs min <= every <= max',
  });

const doctorSchema = z
  .object({
    /** Probe users of `csdn-crawl doctor`; empty: built-in long-lived accounts (real site only). */
    users: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** Prometheus metrics at `http://host:port/metrics` while `run` lasts (docs/metrics.md). */
const metricsSchema = z
  .object({
    /** Port to serve on; 0 picks a free one (the URL is logged). */
    port: z.number().int().min(0).max(65535),
    /** Address to listen on; the default keeps the metrics on this machine. */
    host: z.string().min(1).default('127.0.0.1'),
  })
  .strict();

export const configSchema = z
  .object({
    /** User IDs (or profile URLs) to add to pending before the run. */
    ids: z.array(z.string()).default([]),
    /** A file with one ID per line (blank lines and `#` comments ignored). */
    idsFile: z.string().min(1).optional(),
    /** Site origin; point it at the local replica for tests and demos. */
    baseUrl: z
      .string()
      .url()
      // ftp://, file:// and the like parse as URLs but can never answer: refuse them here, not
      // after a run has waited for them as for an outage.
      .refine(
        (value) => !URL.canParse(value) || /^https?:$/i.test(new URL(value).protocol),
        (value) => ({ message: `${value} is not an http:// or https:// URL` }),
      )
      .default('https://blog.csdn.net'),
    /** Directory for the default stores, snapshots and worker locks. */
    dataDir: z.string().min(1).default('./.csdn-crawl'),
    /** State store: `memory`, a SQLite file path, `sqlite://path`, `redis://…`. Default `<dataDir>/state.sqlite`. */
    store: z.string().min(1).optional(),
    /** Result store: a SQLite file path, `sqlite://path`, `postgres://…`. Default `<dataDir>/results.sqlite`. */
    results: z.string().min(1).optional(),
    /** Users crawled at once. */
    concurrency: z.number().int().min(1).max(256).default(4),
    /** `auto`: HTTP, a browser only when a user needs one and one is available. */
    driver: z.enum(DRIVER_CHOICES).default('auto'),
    browser: browserSchema.default({}),
    politeness: politenessSchema.default({}),
    retries: retriesSchema.default({}),
    discovery: discoverySchema.default({}),
    graph: graphSchema.default({}),
    outage: outageSchema.default({}),
    snapshots: snapshotsSchema.default({}),
    doctor: doctorSchema.default({}),
    refresh: refreshSchema.default({}),
    /** `run` never drains: it sleeps until the next refresh is due, until a signal stops it. */
    watch: z.boolean().default(false),
    /** Serve Prometheus metrics during runs; off when absent. */
    metrics: metricsSchema.optional(),
    requestTimeoutMs: z.number().int().min(100).default(20_000),
    userTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(10 * 60_000),
    leaseMs: z
      .number()
      .int()
      .min(1000)
      .default(2 * 60_000),
    stopTimeoutMs: z.number().int().min(0).default(10_000),
    /** Identity of this worker in the state store; default derived from host and data directory. */
    workerId: z.string().min(1).optional(),
    /** Move this many IDs from backlog to pending whenever pending runs dry (0: never). */
    autoPromote: z.number().int().min(0).default(100),
  })
  .strict();

/** What a config file or `createCrawler()` accepts: every key optional. */
export type CrawlerConfig = z.input<typeof configSchema>;
/** The configuration after defaults: every key with a default is present. */
export type ResolvedConfig = z.output<typeof configSchema>;
