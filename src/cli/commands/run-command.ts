import type { Logger } from '../../core/logger.js';
import { createCrawler } from '../../crawler/create-crawler.js';
import { createSiteAdapter } from '../../crawler/default-site.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';
import { attachProgress } from '../progress.js';
import { hintAlreadyCrawled, validIdsOrThrow } from './run-ids.js';

export interface RunFlags extends CommonFlags {
  json?: boolean;
  /** IDs after `--` (so an ID may start with `-`). */
  '--'?: string[];
}

/**
 * One SIGINT/SIGTERM: stop claiming, let in-flight users finish (or return them to pending),
 * close stores and browsers, exit 130/143. A second signal exits at once; leases then expire.
 */
export async function runCommand(ids: string[], flags: RunFlags, logger: Logger): Promise<number> {
  const config = await configFromFlags(flags);
  // The IDs are read and checked here, so a wrong file gives one summary line instead of a line per ID.
  const given = await validIdsOrThrow(createSiteAdapter(config), config, ids, flags['--'], logger);
  const crawler = createCrawler({ ...config, ids: given, idsFile: undefined, logger });
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      process.stderr.write(
        `\nsecond ${signal}: exiting now (leases of unfinished users expire by themselves)\n`,
      );
      process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);
    }
    signalled = signal;
    logger.info(
      `${signal}: stopping; in-flight users get ${config.stopTimeoutMs} ms to finish (send again to exit at once)`,
    );
    void crawler.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const detach = attachProgress(crawler, {
    tty: Boolean(process.stderr.isTTY),
    json: Boolean(flags.json),
    logger,
  });
  try {
    const summary = await crawler.run();
    detach();
    logger.info(
      flags.json
        ? 'summary'
        : `finished: ${summary.done} done, ${summary.notfound} not found, ${summary.failed} failed, ${summary.released} returned to pending in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.usersPerMinute.toFixed(1)} users/min)`,
      flags.json ? { ...summary } : undefined,
    );
    if (signalled) return signalled === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
    if (summary.done + summary.notfound + summary.failed === 0 && given.length > 0) {
      await hintAlreadyCrawled(config, given, logger);
    }
    return summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    detach();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
