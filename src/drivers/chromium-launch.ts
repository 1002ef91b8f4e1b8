/**
 * The launch template both browser drivers fill in (as Crawlee browser-pool's public launch()
 * calls a small plugin-specific part). The template does the shared work: load the library,
 * find Chromium, make a throwaway profile, build the flags, hold one deadline for the whole
 * launch, start processes in their own group tagged with our pid (for the orphan sweep), and on
 * any failure kill whatever was started, remove the profile and map the error. The driver's part
 * only starts its library's browser against that prepared Chromium.
 */
import type { Browser, BrowserDriver, LaunchOptions } from '../core/browser-driver.js';
import { msLeft } from './chromium-deadline.js';
import { findChromium } from './chromium-find.js';
import { chromiumFlags } from './chromium-flags.js';
import { killTree, type SpawnedProcess, spawnUntilReady } from './chromium-process.js';
import { makeProfileDir, removeProfileDir } from './chromium-profile.js';

export const DEFAULT_LAUNCH_TIMEOUT_MS = 30_000;

/** What the driver's part gets: a Chromium ready to be started, and the launch's deadline. */
export interface PreparedChromium {
  /** The Chromium binary. */
  executable: string;
  /** Its switches: ours, the caller's, and the profile directory. */
  flags: string[];
  /** The throwaway --user-data-dir (the browser removes it when it goes). */
  profile: string;
  /** The whole launch's deadline. */
  timeoutMs: number;
  /** Milliseconds left of it. */
  left(): number;
  /**
   * Start Chromium, or the program that starts it, and wait for `ready` in its output (within
   * what is left of the deadline). Killed with its whole tree when the launch fails.
   */
  spawn(command: string, args: string[], how: { ready: RegExp; what: string }): Promise<SpawnedProcess>;
}

/** The driver-specific part of a Chromium driver. */
export interface ChromiumDriverPart<Options extends LaunchOptions, Library> {
  name: string;
  /** See BrowserDriver.maxOpenPages. */
  maxOpenPages?: number;
  /** Load the library (MissingDependencyError with an install hint when it is missing). */
  load(options: Options): Promise<Library>;
  /** Start the library's browser against the prepared Chromium. */
  start(chromium: PreparedChromium, library: Library, options: Options): Promise<Browser>;
  /** Translate a launch failure into the core's errors (default: as it is). */
  mapError?(error: unknown, timeoutMs: number): unknown;
}

/** A BrowserDriver whose launch() is the template around `part`; launch options override `defaults`. */
export function chromiumDriver<Options extends LaunchOptions, Library>(
  part: ChromiumDriverPart<Options, Library>,
  defaults: Options,
): BrowserDriver {
  return {
    name: part.name,
    ...(part.maxOpenPages === undefined ? {} : { maxOpenPages: part.maxOpenPages }),
    launch: (launchOptions: LaunchOptions = {}) =>
      launchChromium(part, { ...defaults, ...stripUndefined(launchOptions) }),
  };
}

export async function launchChromium<Options extends LaunchOptions, Library>(
  part: ChromiumDriverPart<Options, Library>,
  options: Options,
): Promise<Browser> {
  const library = await part.load(options);
  const executable = findChromium(options.executablePath);
  const timeoutMs = options.timeoutMs ?? DEFAULT_LAUNCH_TIMEOUT_MS;
  const end = Date.now() + timeoutMs;
  const profile = await makeProfileDir();
  const started: SpawnedProcess[] = [];
  const chromium: PreparedChromium = {
    executable,
    flags: chromiumFlags({ headless: options.headless, userDataDir: profile, args: options.args }),
    profile,
    timeoutMs,
    left: () => msLeft(end),
    spawn: async (command, args, how) => {
      const proc = await spawnUntilReady(command, args, { ...how, timeoutMs });
      started.push(proc);
      return proc;
    },
  };
  try {
    return await part.start(chromium, library, options);
  } catch (error) {
    for (const proc of started) await killTree(proc.pid, proc.tag);
    await removeProfileDir(profile);
    throw part.mapError ? part.mapError(error, timeoutMs) : error;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
