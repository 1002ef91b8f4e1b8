/**
 * The crawl engine: claims IDs with leases, crawls each user through the site adapter with a
 * deadline, writes results before moving the ID to its final set, and lets the retry policy
 * judge every error. Nothing waits forever: store calls, page leases, crawls and sleeps are all
 * raced against a deadline or the stop signal. See docs/engine.md; the parts are in this folder.
 */
import { sharedController } from '../deadline.js';
import { AbortedError } from '../errors.js';
import { type CrawlerEventName, type Listener, TypedEmitter } from '../events.js';
import { createSnapshotter } from '../snapshots.js';
import { engineLogger } from './loggers.js';
import { runOnce } from './run.js';
import { createStoreCalls } from './store-calls.js';
import type { Crawler, EngineOptions, RunSummary } from './types.js';

/**
 * Build an engine from live parts and RESOLVED settings: every setting of `EngineSettings` is
 * required and none has a default here. Their defaults are the config schema's
 * (src/config/schema.ts) plus `ENGINE_TUNING`; `engineOptionsFromConfig()` (src/crawler) maps a
 * resolved config to these options, which is what `createCrawler` does.
 */
export function createEngine(options: EngineOptions): Crawler {
  const emitter = new TypedEmitter();
  const log = engineLogger(options.logger, emitter);
  const snapshots = createSnapshotter({
    dir: options.snapshotsDir,
    capBytes: options.snapshotCapBytes,
    logger: log,
  });
  const storeCalls = createStoreCalls(options.storeTimeoutMs, options.storeGiveUpMs);

  let current: Promise<RunSummary> | undefined;
  let stop: AbortController | undefined;
  // The caller may ask to stop before run() started (a signal handler racing the start).
  let stopRequestedBeforeRun = false;

  return {
    run() {
      if (current) return current;
      stop = sharedController();
      if (stopRequestedBeforeRun) stop.abort(new AbortedError('stopping'));
      const running = runOnce({ options, emitter, log, storeCalls, snapshots, stop }).finally(() => {
        current = undefined;
        stop = undefined;
        stopRequestedBeforeRun = false;
      });
      current = running;
      return running;
    },
    async stop() {
      const running = current;
      if (!running) {
        stopRequestedBeforeRun = true;
        return;
      }
      stop?.abort(new AbortedError('stopping'));
      await running.then(
        () => undefined,
        () => undefined,
      );
    },
    on<E extends CrawlerEventName>(event: E, listener: Listener<E>) {
      return emitter.on(event, listener);
    },
    off<E extends CrawlerEventName>(event: E, listener: Listener<E>) {
      emitter.off(event, listener);
    },
  };
}
