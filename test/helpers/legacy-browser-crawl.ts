import { expect } from 'vitest';
import type { RunSummary } from '../../src/core/engine/index.js';
import { type CreateCrawlerOptions, createCrawler } from '../../src/crawler/create-crawler.js';
import { createCsdnAdapter } from '../../src/sites/csdn/index.js';
import { openResultStore } from '../../src/stores/open.js';
import type { Replica, UserTruth } from '../../src/testing/replica/index.js';
import { diffAgainstTruth } from './compare-truth.js';
import { PROFILE_FIELDS_LEGACY } from './truth-fields.js';

/**
 * Legacy users crawled in a browser as the browser e2e tests do: two users at once, two pages
 * (playwright: one browser with two tabs; selenium: two browsers), quick page reloads.
 */
export function crawlLegacyInBrowser(
  replica: Replica,
  driver: 'playwright' | 'selenium',
  dataDir: string,
  ids: string[],
  politeness: CreateCrawlerOptions['politeness'],
): Promise<RunSummary> {
  return createCrawler({
    baseUrl: replica.url,
    dataDir,
    ids,
    driver,
    site: createCsdnAdapter({ baseUrl: replica.url, pageRetryBaseMs: 100, browserTimeoutMs: 10_000 }),
    concurrency: 2,
    browser: { browsers: driver === 'selenium' ? 2 : 1, pagesPerBrowser: driver === 'selenium' ? 1 : 2 },
    politeness,
    retries: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
  }).run();
}

/**
 * Opens the results file of a browser crawl of legacy users and expects each of `ids` exact
 * (the legacy profile fields) and read by the legacy browser walk.
 */
export async function expectLegacyBrowserExact(
  resultsFile: string,
  replica: { truth(username: string): UserTruth | undefined },
  ids: readonly string[],
): Promise<void> {
  const results = await openResultStore(resultsFile);
  try {
    const diffs: string[] = [];
    for (const u of ids) {
      const truth = replica.truth(u);
      if (!truth) diffs.push(`${u}: no truth`);
      else diffs.push(...(await diffAgainstTruth(results, u, truth, PROFILE_FIELDS_LEGACY)));
    }
    expect(diffs.slice(0, 10)).toEqual([]);
    for (const u of ids) expect((await results.getUser(u))?.source).toBe('legacy-browser');
  } finally {
    await results.close();
  }
}
