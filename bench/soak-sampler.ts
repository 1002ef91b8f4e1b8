/**
 * What bench/soak.ts samples every 10 s, and the table it prints at the end: the mean of each
 * figure over the second quarter of the run against the mean over the last quarter (the first
 * quarter is warm-up: caches, JIT, pools), and the lowest sample of each quarter, because heap
 * and RSS move in a saw-tooth and a leak shows first in a rising floor.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { hasEnv, listProcs } from '../src/drivers/chromium-process.js';

export const TAG_ENV = 'CSDN_SOAK_RUN';

export interface Sample {
  t: number;
  rssMb: number;
  heapMb: number;
  fds: number;
  handles: number;
  browsers: number;
  browserRssMb: number;
  /** Users crawled so far (first crawls and refreshes): how much work each quarter saw. */
  crawled: number;
  /** Active handles by type (`TCPSocketWrap: 12, Timeout: 9, …`), to name what grows. */
  handleTypes: Record<string, number>;
  /** Where the RSS is (MB): V8's committed heap, Buffers and other external memory, anonymous and file-backed pages. */
  where: Record<(typeof WHERE)[number], number>;
}

const WHERE = ['heapTotal', 'external', 'arrayBuffers', 'anon', 'file'] as const;

/** Anonymous and file-backed resident pages (kB) of this process, from /proc/self/status. */
function residentKinds(): { anon: number; file: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { anon: kb('RssAnon'), file: kb('RssFile') + kb('RssShmem') };
  } catch {
    return { anon: 0, file: 0 };
  }
}

const FIGURES = ['rssMb', 'heapMb', 'fds', 'handles', 'browsers', 'browserRssMb'] as const;

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Live Chromium processes that inherited this soak's tag (however they were detached). */
export function browserPids(tag: string): number[] {
  return listProcs()
    .filter((p) => p.state !== 'Z' && p.state !== 'X' && /chrom/i.test(p.comm) && hasEnv(p.pid, TAG_ENV, tag))
    .map((p) => p.pid);
}

export function takeSample(tag: string, startedAt: number, crawled: number): Sample {
  const pids = browserPids(tag);
  // With --expose-gc (NODE_OPTIONS), a full collection first: the figures are then what is
  // retained, not how much garbage happened to wait for the next collection.
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const kinds = residentKinds();
  return {
    t: Math.round((Date.now() - startedAt) / 1000),
    rssMb: memory.rss / 2 ** 20,
    heapMb: memory.heapUsed / 2 ** 20,
    fds: readdirSync('/proc/self/fd').length,
    handles: process.getActiveResourcesInfo().length,
    browsers: pids.length,
    browserRssMb: pids.reduce((sum, pid) => sum + rssKb(pid), 0) / 1024,
    crawled,
    handleTypes: countTypes(process.getActiveResourcesInfo()),
    where: {
      heapTotal: memory.heapTotal / 2 ** 20,
      external: memory.external / 2 ** 20,
      arrayBuffers: memory.arrayBuffers / 2 ** 20,
      anon: kinds.anon / 1024,
      file: kinds.file / 1024,
    },
  };
}

export function formatSample(s: Sample): string {
  return `t=${String(s.t).padStart(5)}s rss=${s.rssMb.toFixed(1)}MB heap=${s.heapMb.toFixed(1)}MB fds=${s.fds} handles=${s.handles} browsers=${s.browsers} (${s.browserRssMb.toFixed(0)}MB)`;
}

function countTypes(types: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of types) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** The growth table (markdown, ready for docs/reliability.md) and the floor of each quarter. */
export function growthTable(samples: Sample[]): string[] {
  const n = samples.length;
  const quarter = (k: number) => samples.slice(Math.floor((k * n) / 4), Math.floor(((k + 1) * n) / 4));
  const q2 = quarter(1);
  const q4 = quarter(3);
  const lines = ['| figure | mean, 2nd quarter | mean, last quarter | growth |', '|---|---|---|---|'];
  for (const key of FIGURES) {
    const a = mean(q2.map((s) => s[key]));
    const b = mean(q4.map((s) => s[key]));
    const growth = a === 0 ? 0 : ((b - a) / a) * 100;
    lines.push(
      `| ${key} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % |`,
    );
  }
  const floors = (key: 'rssMb' | 'heapMb') =>
    [0, 1, 2, 3].map((k) => Math.min(...quarter(k).map((s) => s[key])).toFixed(1)).join(', ');
  lines.push(`lowest sample per quarter: rss ${floors('rssMb')} MB; heap ${floors('heapMb')} MB`);
  // A watching crawler alternates between crawling and sleeping: quarters compare fairly only
  // when they did about the same work.
  const work = [0, 1, 2, 3].map((k) => {
    const q = quarter(k);
    return q.length === 0
      ? 0
      : q[q.length - 1].crawled - (samples[Math.floor((k * n) / 4) - 1]?.crawled ?? 0);
  });
  lines.push(`users crawled per quarter: ${work.join(', ')}`);
  const types = new Set([...q2, ...q4].flatMap((s) => Object.keys(s.handleTypes)));
  const byType = [...types].sort().map((type) => {
    const a = mean(q2.map((s) => s.handleTypes[type] ?? 0));
    const b = mean(q4.map((s) => s.handleTypes[type] ?? 0));
    return `${type} ${a.toFixed(1)} -> ${b.toFixed(1)}`;
  });
  const where = WHERE.map(
    (key) =>
      `${key} ${mean(q2.map((s) => s.where[key])).toFixed(1)} -> ${mean(q4.map((s) => s.where[key])).toFixed(1)}`,
  );
  lines.push(`memory in MB, mean of 2nd -> last quarter: ${where.join(', ')}`);
  lines.push(`active handles by type, mean of 2nd -> last quarter: ${byType.join(', ')}`);
  return lines;
}
