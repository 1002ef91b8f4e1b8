import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../../core/logger.js';
import { createCrawler } from '../../crawler/create-crawler.js';
import { startReplica } from '../../testing/replica/index.js';
import { EXIT } from '../exit-codes.js';
import { intFlag } from '../numeric-flags.js';
import { attachProgress } from '../progress.js';
import { checkPreset } from './replica-command.js';

export interface DemoFlags {
  users?: number;
  faults?: string;
  concurrency?: number;
  driver?: string;
  dataDir?: string;
  json?: boolean;
}

/** Start the replica, crawl it into a throwaway data directory, print what was collected. */
export async function demoCommand(
  flags: DemoFlags,
  logger: Logger,
  print: (line: string) => void,
): Promise<number> {
  const users = intFlag('users', flags.users, 50, { min: 1, max: 100_000 });
  const concurrency = intFlag('concurrency', flags.concurrency, 8, { min: 1, max: 1000 });
  const replica = await startReplica({ users, seed: 1, faults: checkPreset(flags.faults ?? 'realistic') });
  const dataDir = flags.dataDir ?? mkdtempSync(path.join(tmpdir(), 'csdn-crawl-demo-'));
  try {
    print(`demo: local CSDN replica with ${users} users at ${replica.url}, data in ${dataDir}`);
    const crawler = createCrawler({
      baseUrl: replica.url,
      dataDir,
      ids: [...replica.usernames, ...replica.missingUsernames.slice(0, 2)],
      concurrency,
      driver: (flags.driver as 'auto' | 'http' | 'playwright' | 'selenium' | undefined) ?? 'http',
      politeness: { maxInFlightPerHost: 16, minDelayMs: 0 },
      retries: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 2000 },
      requestTimeoutMs: 5000,
      logger,
    });
    const detach = attachProgress(crawler, {
      tty: Boolean(process.stderr.isTTY),
      json: Boolean(flags.json),
      logger,
      intervalMs: 2000,
    });
    const summary = await crawler.run();
    detach();
    print(
      `demo: ${summary.done} users done, ${summary.notfound} not found, ${summary.failed} failed in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.usersPerMinute.toFixed(0)} users/min, ${summary.requests} requests)`,
    );
    print(
      `demo: results in ${path.join(dataDir, 'results.sqlite')}; try: csdn-crawl status --data-dir ${dataDir}`,
    );
    print(`demo: export them: csdn-crawl export --data-dir ${dataDir} --format csv --out users.csv`);
    return summary.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    await replica.close();
  }
}
