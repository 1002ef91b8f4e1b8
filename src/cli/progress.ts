import { formatRate } from '../core/host-rates.js';
import type { Logger } from '../core/logger.js';
import type { CsdnCrawler } from '../crawler/create-crawler.js';
import { endStatusLine, showStatusLine } from './logger.js';

interface ProgressFigures {
  done: number;
  failed: number;
  notfound: number;
  inFlight: number;
  pending: number;
  usersPerMin: number;
  requestsPerSec?: number;
  /** The adaptive request rate per host. */
  rates?: Record<string, number>;
}

function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
}

export function formatProgress(p: ProgressFigures): string {
  return `${p.done} done, ${p.notfound} not found, ${p.failed} failed, ${p.inFlight} in flight, ${p.pending} pending, ${p.usersPerMin.toFixed(1)} users/min${formatRates(p.rates)}`;
}

/** `, rate 6.0/s` for the usual one host; each host named when there are several. */
export function formatRates(rates: Record<string, number> | undefined): string {
  const entries = Object.entries(rates ?? {});
  if (entries.length === 0) return '';
  if (entries.length === 1) return `, rate ${formatRate(entries[0][1])}/s`;
  return `, rate ${entries.map(([host, rate]) => `${host} ${formatRate(rate)}/s`).join(' ')}`;
}

/**
 * On a terminal: one redrawn line with a bar. Otherwise (logs, CI, systemd) a summary line every
 * `intervalMs`, so a days-long run does not flood its log. With --json the logger carries it.
 */
export function attachProgress(
  crawler: CsdnCrawler,
  options: { tty: boolean; json: boolean; logger: Logger; intervalMs?: number; out?: NodeJS.WriteStream },
): () => void {
  const out = options.out ?? process.stderr;
  let last: ProgressFigures | undefined;
  let lastPrinted = 0;
  // Never shrinks: IDs found during the run raise it, figures sampled a moment apart do not lower it.
  let total = 0;
  const interval = options.intervalMs ?? 10_000;
  const off = crawler.on('progress', (p: ProgressFigures) => {
    last = p;
    if (options.tty && !options.json) {
      const finished = p.done + p.failed + p.notfound;
      total = Math.max(total, finished + p.inFlight + p.pending);
      const line = `[${bar(total ? finished / total : 0, 24)}] ${finished}/${total} ${formatProgress(p)}`;
      showStatusLine(out, line.slice(0, (out.columns ?? 120) - 1));
      return;
    }
    const now = Date.now();
    if (now - lastPrinted >= interval) {
      lastPrinted = now;
      options.logger.info(options.json ? 'progress' : formatProgress(p), options.json ? { ...p } : undefined);
    }
  });
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    off();
    if (options.tty && !options.json && last) endStatusLine();
  };
}
