/**
 * `csdn-crawl doctor` as a library call: probe the site through the adapter's optional
 * `doctor()` hook with a polite client (one request at a time, the politeness delay between
 * them), save the evidence of anything not ok, and say which exit code that deserves.
 */
import path from 'node:path';
import { ensureDataDir } from '../config/data-dir.js';
import { sleep } from '../core/deadline.js';
import type { DoctorCheck, DoctorStatus } from '../core/doctor.js';
import { InvalidInputError } from '../core/errors.js';
import type { HttpClient } from '../core/http-client.js';
import { normalizeIds } from '../core/normalize-ids.js';
import type { SiteAdapter } from '../core/site-adapter.js';
import { createHttpClient } from '../drivers/http.js';
import { createCsdnAdapter } from '../sites/csdn/index.js';
import { saveDoctorEvidence } from './evidence.js';

export const REAL_SITE = 'https://blog.csdn.net';

export interface DoctorOptions {
  /** Site origin. Default the real site. */
  baseUrl?: string;
  /** Probe users. Required unless baseUrl is the real site (whose defaults are built in). */
  users?: string[];
  /** Evidence goes to `<dataDir>/doctor/<timestamp>/`. */
  dataDir: string;
  /** Pause between two requests. Default 250 ms (the politeness default). */
  minDelayMs?: number;
  /** Deadline of one request. Default 20 s. */
  requestTimeoutMs?: number;
  /** An adapter with a `doctor()` hook; default CSDN at baseUrl. */
  site?: SiteAdapter;
  /** An HTTP client; default a new one (closed at the end). */
  httpClient?: HttpClient;
  signal?: AbortSignal;
}

export interface DoctorOutcome {
  baseUrl: string;
  users: string[];
  checks: DoctorCheck[];
  counts: Record<DoctorStatus, number>;
  /** 'drift' when any check changed, else 'blocked' when any was blocked, else 'ok'. */
  verdict: 'ok' | 'drift' | 'blocked';
  /** Where the evidence was saved; undefined when every check was ok. */
  evidenceDir?: string;
}

/** Sequential requests with at least `minDelayMs` between the end of one and the start of the next. */
export function politeClient(inner: HttpClient, minDelayMs: number, timeoutMs: number): HttpClient {
  let last = 0;
  return {
    async get(url, options = {}) {
      await sleep(last + minDelayMs - Date.now(), options.signal);
      try {
        return await inner.get(url, { timeoutMs, ...options });
      } finally {
        last = Date.now();
      }
    },
    setCookies: (host, cookies) => inner.setCookies(host, cookies),
    clearCookies: (host) => inner.clearCookies(host),
  };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorOutcome> {
  const baseUrl = options.baseUrl ?? REAL_SITE;
  const site = options.site ?? createCsdnAdapter({ baseUrl });
  if (!site.doctor) {
    throw new InvalidInputError(`the ${site.name} adapter has no doctor checks`);
  }
  const { valid: users, invalid } = normalizeIds(site, options.users ?? []);
  if (invalid.length > 0) {
    const { input, reason } = invalid[0];
    throw new InvalidInputError(`invalid probe user ${JSON.stringify(input.slice(0, 80))}: ${reason}`, {
      hint: 'pass user IDs or profile URLs in --users or doctor.users',
    });
  }
  if (users.length === 0 && !sameOrigin(baseUrl, REAL_SITE)) {
    throw new InvalidInputError(`doctor needs probe users for ${baseUrl}`, {
      hint: 'pass --users a,b or set doctor.users; the default probe users exist only on blog.csdn.net',
    });
  }
  const own = options.httpClient ? undefined : createHttpClient();
  const timeoutMs = options.requestTimeoutMs ?? 20_000;
  const http = politeClient(options.httpClient ?? own!, options.minDelayMs ?? 250, timeoutMs);
  let checks: DoctorCheck[];
  try {
    checks = await site.doctor({ http, users, signal: options.signal });
  } finally {
    own?.close();
  }
  const counts: Record<DoctorStatus, number> = { ok: 0, changed: 0, blocked: 0, missing: 0, skipped: 0 };
  for (const check of checks) counts[check.status]++;
  const verdict = counts.changed > 0 ? 'drift' : counts.blocked > 0 ? 'blocked' : 'ok';
  const noteworthy = checks.some((c) => c.status === 'changed' || c.status === 'blocked');
  const evidenceDir = noteworthy
    ? await saveDoctorEvidence(path.join(ensureDataDir(options.dataDir), 'doctor'), checks)
    : undefined;
  return { baseUrl, users, checks, counts, verdict, evidenceDir };
}
