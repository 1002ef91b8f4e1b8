import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResultStore } from '../core/result-store.js';
import { buildReport, type ReportSummary } from './build-report.js';
import type { GrowthWindow } from './history-growth.js';
import { openInBrowser } from './open-in-browser.js';
import { buildIntoPlace } from './publish-report.js';

export interface ReportCommandOptions {
  results: ResultStore;
  out: string;
  title?: string;
  /** The window of the overview's fastest-growing users and articles; default all stored history. */
  growth?: GrowthWindow;
  /** Open index.html with the desktop's browser when done. */
  open?: boolean;
  /** Progress and result lines (the CLI passes its logger or console.error). */
  log?: (line: string) => void;
}

/** What `csdn-crawl report --out <dir> [--open]` does, minus flag parsing and opening the store. */
export async function runReportCommand(options: ReportCommandOptions): Promise<ReportSummary> {
  const log = options.log ?? (() => {});
  let lastPercent = -1;
  // Built beside the target and moved in at the end: a failed build keeps the previous report.
  const built = await buildIntoPlace(options.out, (staging) =>
    buildReport({
      results: options.results,
      outDir: staging,
      title: options.title,
      growth: options.growth,
      onProgress: (p) => {
        if (p.phase !== 'users' || !p.total) return;
        const percent = Math.floor((p.done / p.total) * 10) * 10;
        if (percent !== lastPercent) {
          lastPercent = percent;
          log(`report: ${p.done}/${p.total} users (${percent}%)`);
        }
      },
    }),
  );
  // The pages now live in the target folder, not in the staging one they were built in.
  const outDir = path.resolve(options.out);
  const summary: ReportSummary = {
    ...built,
    outDir,
    indexFile: path.join(outDir, 'index.html'),
    usersIndexFile: path.join(outDir, 'users.html'),
  };
  log(
    `report: ${summary.userPages} user pages, ${summary.counts.articles} articles in ${(summary.durationMs / 1000).toFixed(1)} s`,
  );
  log(`report: ${pathToFileURL(summary.indexFile).href}`);
  if (options.open) openInBrowser(summary.indexFile);
  return summary;
}
