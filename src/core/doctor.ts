import type { HttpClient, HttpResponse } from './http-client.js';

/**
 * What `csdn-crawl doctor` reports per check:
 * - ok: the site answers as the adapter expects;
 * - changed: the answer differs from the documented expectation (drift), even when the
 *   adapter would tolerate it: the point is to know before a crawl relies on a fallback;
 * - blocked: no usable answer (a security check, a bot wall, throttling, no connection);
 * - missing: the probe user does not exist on the site, so its checks were not made;
 * - skipped: nothing to judge (e.g. the site does not serve that skin, a user with no articles).
 */
export type DoctorStatus = 'ok' | 'changed' | 'blocked' | 'missing' | 'skipped';

export interface DoctorCheck {
  /** Stable check name, e.g. "business-list.fields". */
  check: string;
  /** What was probed: a probe username, or "site" for site-wide checks. */
  target: string;
  status: DoctorStatus;
  /** One line: what was found (for changed: which field or marker). */
  detail: string;
  /** The response judged, kept as evidence when the status is not ok. */
  response?: HttpResponse;
}

export interface DoctorContext {
  /** A polite client: the command sends probes one at a time with the politeness delay. */
  http: HttpClient;
  /** Probe users; the adapter's defaults when empty. */
  users: string[];
  signal?: AbortSignal;
}
