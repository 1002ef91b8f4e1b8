import type { BrowserPage } from './browser-driver.js';
import type { DoctorCheck, DoctorContext } from './doctor.js';
import type { HttpClient } from './http-client.js';
import type { Logger } from './logger.js';
import type { UserResult } from './model.js';

/** Evidence of a failure, saved under the snapshots directory. */
export interface SnapshotInput {
  /** The page to screenshot and read, when the failure happened in a browser. */
  page?: BrowserPage;
  html?: string;
  url?: string;
  error?: unknown;
  /** A short label for the file name, e.g. "pager-stuck". */
  label?: string;
}

export interface PageLease {
  page: BrowserPage;
  /** Give the page back (closes it). Safe to call twice. */
  release(): Promise<void>;
}

export interface DiscoveryOptions {
  /** Queue the users found in follows and fans lists (the lists are read for it even when the graph is off). */
  enabled: boolean;
  /** How far from the initial IDs discovery goes (1 = their direct neighbours). */
  maxDepth: number;
  /** At most this many IDs read from each list of each user. */
  maxPerUser: number;
}

/**
 * The follow graph as data: which lists of each user are read and stored as edges, and how many
 * names of each. Independent of discovery, which only decides whether neighbours are queued.
 */
export interface GraphOptions {
  /** Read and store the users each user follows. */
  follows: boolean;
  /** Read and store each user's fans. */
  fans: boolean;
  /** At most this many names read from a user's follows list; a longer list is stored capped. */
  maxFollows: number;
  /** At most this many names read from a user's fans list (popular users have huge ones). */
  maxFans: number;
}

/** What the engine hands an adapter for one user. */
export interface CrawlContext {
  /** HTTP client with politeness, deadlines and the cookies earned by browsers. */
  http: HttpClient;
  /** True when a browser driver is configured and available. */
  readonly canUseBrowser: boolean;
  /** Lease a browser page from the pool. Throws MissingDependencyError when there is no browser. */
  page(): Promise<PageLease>;
  /** Aborted when the crawler stops or the user's deadline passes. */
  signal: AbortSignal;
  log: Logger;
  /** Save evidence; resolves with the path written (or undefined when the cap is reached). */
  snapshot(input: SnapshotInput): Promise<string | undefined>;
  discovery: DiscoveryOptions;
  /**
   * Which follow lists to read and store. Discovery needs the lists too: an adapter reads a list
   * when the graph asks for it or discovery is enabled (see `graphListLimit`).
   */
  graph: GraphOptions;
  /** Browser use policy chosen by the user: 'http' never, 'auto' when needed, a driver name always. */
  readonly browserMode: 'never' | 'when-needed' | 'always';
}

export interface SiteAdapter {
  /** Short name, e.g. "csdn". */
  readonly name: string;
  /**
   * Turn user input (an ID or a profile URL) into the canonical ID.
   * Throws InvalidInputError with a one-line reason for anything that cannot be an ID.
   */
  normalizeId(input: string): string;
  /**
   * Crawl one user completely. Throws NotFoundError for users that do not exist, and other
   * CrawlErrors that the retry policy judges.
   */
  crawlUser(id: string, context: CrawlContext): Promise<UserResult>;
  /**
   * Optional: probe the live site against what this adapter expects (`csdn-crawl doctor`).
   * Few requests, one at a time; never throws for what the site answers (that is a result).
   */
  doctor?(context: DoctorContext): Promise<DoctorCheck[]>;
}

/**
 * How many names of one list an adapter reads: the graph's cap when the graph wants the list,
 * raised to discovery's `maxPerUser` when discovery is on; 0 means do not read the list.
 */
export function graphListLimit(
  context: Pick<CrawlContext, 'graph' | 'discovery'>,
  kind: 'follows' | 'fans',
): number {
  const wanted = kind === 'follows' ? context.graph.follows : context.graph.fans;
  const graphCap = wanted ? (kind === 'follows' ? context.graph.maxFollows : context.graph.maxFans) : 0;
  const discoveryCap = context.discovery.enabled ? context.discovery.maxPerUser : 0;
  return Math.max(graphCap, discoveryCap);
}
