import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultCounts, ResultStore } from '../core/result-store.js';
import { CHART_LIBRARY_FILE, resolveChartLibrary } from './chart-library.js';
import { OVERVIEW_SCRIPT } from './client/overview-script.js';
import { USER_SCRIPT } from './client/user-script.js';
import { FollowGraphAggregator } from './follow-graph-overview.js';
import { articleCounterSeries, GrowthAggregator, type GrowthWindow } from './history-growth.js';
import { OverviewAggregator, type OverviewData } from './overview-aggregator.js';
import { renderOverviewPage } from './overview-page.js';
import { REPORT_CSS } from './report-styles.js';
import { safeUserFileName } from './safe-file-name.js';
import { renderUserPage } from './user-page.js';
import { summarizeUser } from './user-summary.js';
import { usersIndexParts, usersIndexRow, usersIndexSeparator } from './users-index-page.js';

export interface ReportProgress {
  phase: 'scan' | 'users' | 'overview' | 'done';
  /** Users handled so far in this phase. */
  done: number;
  /** Users in the store (0 while scanning). */
  total: number;
}

export interface BuildReportOptions {
  results: ResultStore;
  /** Created if missing. Stale user pages from an earlier build in the same directory are removed. */
  outDir: string;
  title?: string;
  onProgress?: (progress: ReportProgress) => void;
  /** The "generated at" time; defaults to Date.now(). */
  now?: () => number;
  /** The window of the overview's fastest-growing users and articles; default all stored history. */
  growth?: GrowthWindow;
}

export interface ReportSummary {
  outDir: string;
  /** Absolute path of index.html: open this. */
  indexFile: string;
  usersIndexFile: string;
  userPages: number;
  counts: OverviewData['counts'];
  storeCounts: ResultCounts;
  durationMs: number;
}

const WRITE_CONCURRENCY = 32;
const USER_PAGE_NAME = /^[A-Za-z0-9_-]*-[0-9a-f]{10}\.html$/;

/**
 * Writes a self-contained static report (index.html, users.html, users/<page>.html plus the
 * chart library, a stylesheet and two scripts) from a result store. Users are streamed: memory
 * holds the usernames, one user's data at a time and the overview's bounded aggregates.
 */
export async function buildReport(options: BuildReportOptions): Promise<ReportSummary> {
  const started = performance.now();
  const { results, onProgress } = options;
  const title = options.title?.trim() || 'CSDN crawl report';
  const outDir = path.resolve(options.outDir);
  const usersDir = path.join(outDir, 'users');
  await mkdir(usersDir, { recursive: true });
  await Promise.all([
    copyFile(resolveChartLibrary(), path.join(outDir, CHART_LIBRARY_FILE)),
    writeFile(path.join(outDir, 'report.css'), REPORT_CSS),
    writeFile(path.join(outDir, 'report-overview.js'), OVERVIEW_SCRIPT),
    writeFile(path.join(outDir, 'report-user.js'), USER_SCRIPT),
  ]);

  // Pass 1: names only, so pages can link to exactly the users that get a page, and so the
  // second pass does not keep a store cursor open while it queries the same store.
  const usernames: string[] = [];
  for await (const user of results.iterateUsers()) {
    usernames.push(user.username);
    if (usernames.length % 10_000 === 0) onProgress?.({ phase: 'scan', done: usernames.length, total: 0 });
  }
  const known = new Set(usernames);
  const total = usernames.length;
  onProgress?.({ phase: 'scan', done: total, total });

  const aggregator = new OverviewAggregator();
  const graph = new FollowGraphAggregator((name) => known.has(name));
  const growth = new GrowthAggregator(options.growth ?? {});
  const written = new Set<string>();
  const usersIndexFile = path.join(outDir, 'users.html');
  const usersIndex = createWriteStream(usersIndexFile);
  const [indexHead, indexTail] = usersIndexParts(title);
  usersIndex.write(indexHead);
  const pending = new Set<Promise<void>>();
  const progressEvery = Math.max(1, Math.floor(total / 100));

  let done = 0;
  for (const username of usernames) {
    const user = await results.getUser(username);
    if (!user) continue; // removed since the scan
    const [articles, snapshots, edges, history] = await Promise.all([
      results.getArticles(username),
      results.getSnapshots(username),
      results.getEdges(username),
      results.articleHistory?.(username) ?? [],
    ]);
    aggregator.addUser(user, articles, snapshots);
    growth.addUser(user, snapshots, history, articles);
    graph.addUser(username, user.status === 'done', edges);
    const summary = summarizeUser(user, articles, snapshots);
    const file = safeUserFileName(username);
    written.add(file);
    const html = renderUserPage({
      summary,
      articles,
      snapshots,
      edges,
      articleSeries: articleCounterSeries(history, articles),
      hasPage: (name) => known.has(name),
      reportTitle: title,
    });
    const write = writeFile(path.join(usersDir, file), html).finally(() => pending.delete(write));
    pending.add(write);
    if (pending.size >= WRITE_CONCURRENCY) await Promise.race(pending);
    const row = usersIndexSeparator(done) + usersIndexRow(user, file, articles.length);
    if (!usersIndex.write(row)) await once(usersIndex, 'drain');
    done++;
    if (done % progressEvery === 0) onProgress?.({ phase: 'users', done, total });
  }
  await Promise.all(pending);
  usersIndex.end(indexTail);
  await once(usersIndex, 'finish');
  onProgress?.({ phase: 'users', done, total });

  onProgress?.({ phase: 'overview', done, total });
  const storeCounts = await results.counts();
  const overview = aggregator.result(title, (options.now ?? Date.now)(), storeCounts.edges);
  const indexFile = path.join(outDir, 'index.html');
  await writeFile(indexFile, renderOverviewPage(overview, graph.result(storeCounts.edges), growth.result()));
  await removeStalePages(usersDir, written);
  onProgress?.({ phase: 'done', done, total });
  return {
    outDir,
    indexFile,
    usersIndexFile,
    userPages: written.size,
    counts: overview.counts,
    storeCounts,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Only files this builder could have written are touched; anything else in the folder stays. */
async function removeStalePages(usersDir: string, keep: Set<string>): Promise<void> {
  for (const name of await readdir(usersDir)) {
    if (USER_PAGE_NAME.test(name) && !keep.has(name)) await rm(path.join(usersDir, name), { force: true });
  }
}
