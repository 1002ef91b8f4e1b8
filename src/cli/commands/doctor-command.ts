import type { DoctorCheck } from '../../core/doctor.js';
import { type DoctorOutcome, runDoctor } from '../../doctor/run-doctor.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';

export interface DoctorFlags extends CommonFlags {
  users?: string | number;
  json?: boolean;
}

/** Crawled text may hold terminal control sequences: never let them reach the terminal. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

const MARK: Record<DoctorCheck['status'], string> = {
  ok: 'ok',
  changed: 'CHANGED',
  blocked: 'BLOCKED',
  missing: 'missing',
  skipped: 'skipped',
};

export function doctorTable(checks: DoctorCheck[]): string[] {
  const rows = checks.map((c) => [c.check, printable(c.target), MARK[c.status], printable(c.detail)]);
  const head = ['check', 'target', 'result', 'detail'];
  const width = [0, 1, 2].map((i) => Math.max(head[i].length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i < 3 ? cell.padEnd(width[i]) : cell))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

export function exitCodeOf(outcome: DoctorOutcome): number {
  if (outcome.verdict === 'drift') return EXIT.siteDrift;
  if (outcome.verdict === 'blocked') return EXIT.siteBlocked;
  return EXIT.ok;
}

/** `csdn-crawl doctor`: probe the site, print a table (or JSON), exit 7 on drift, 8 when blocked. */
export async function doctorCommand(flags: DoctorFlags, print: (line: string) => void): Promise<number> {
  const config = await configFromFlags(flags);
  const fromFlag =
    flags.users === undefined
      ? undefined
      : String(flags.users)
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
  const outcome = await runDoctor({
    baseUrl: config.baseUrl,
    users: fromFlag ?? config.doctor.users,
    dataDir: config.dataDir,
    // A few probes one at a time: the ceiling's pace (250 ms by default), not the cautious start.
    minDelayMs: Number.isFinite(config.politeness.maxRate) ? Math.round(1000 / config.politeness.maxRate) : 0,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  const code = exitCodeOf(outcome);
  if (flags.json) {
    print(
      JSON.stringify({
        baseUrl: outcome.baseUrl,
        verdict: outcome.verdict,
        exitCode: code,
        counts: outcome.counts,
        evidenceDir: outcome.evidenceDir,
        checks: outcome.checks.map(({ response, ...rest }) => ({ ...rest, url: response?.url })),
      }),
    );
    return code;
  }
  for (const line of doctorTable(outcome.checks)) print(line);
  const { ok, changed, blocked, missing, skipped } = outcome.counts;
  print('');
  print(
    `${outcome.baseUrl}: ${ok} ok, ${changed} changed, ${blocked} blocked, ${missing} missing, ${skipped} skipped` +
      (outcome.evidenceDir ? `; evidence in ${outcome.evidenceDir}` : ''),
  );
  if (outcome.verdict === 'drift') print('the site changed: read the CHANGED rows before crawling');
  else if (outcome.verdict === 'blocked') print('the site blocked the probes: nothing could be compared');
  return code;
}
