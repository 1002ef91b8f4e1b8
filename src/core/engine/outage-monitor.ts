/**
 * Outage detection. When many requests in a row to one host fail at the connection level, the
 * host is DOWN: requests in flight and waiting get SiteDownError (their users go back to
 * pending, not to failed), the engine stops claiming, and a single probe loop checks the host
 * with capped backoff, logging one line per probe instead of one per request. The first probe
 * that gets any non-5xx answer brings the host back and the engine resumes by itself.
 */
import { formatMs, sharedController, sleep } from '../deadline.js';
import { describeError, SiteDownError, SiteUnreachableError } from '../errors.js';
import type { HttpClient } from '../http-client.js';
import { type Logger, silentLogger } from '../logger.js';

/** Probe timings the config schema does not offer (the rest are its `outage` keys). */
export const PROBE_DEFAULTS = { firstProbeDelayMs: 1000, probeTimeoutMs: 10_000 };

/** The three settings the config schema holds (`outage`) are required: their defaults live there. */
export interface OutageOptions {
  /** Consecutive connection-level failures that mark a host down. */
  failureThreshold: number;
  /** First wait before probing a host that went down. Default `PROBE_DEFAULTS`. */
  firstProbeDelayMs?: number;
  /** Longest wait between probes. */
  maxProbeDelayMs: number;
  /** Deadline of one probe. Default `PROBE_DEFAULTS`. */
  probeTimeoutMs?: number;
  /**
   * A site that has not answered once since the monitor started (this run) and is down this long
   * after the start is unreachable, not in an outage: most likely a wrong base URL or no network.
   * `whenAllUp` then rejects with SiteUnreachableError.
   */
  firstContactTimeoutMs: number;
  logger?: Logger;
  onDown?(host: string, since: number): void;
  onUp?(host: string, downMs: number): void;
}

interface HostHealth {
  failures: number;
  lastUrl?: string;
  down: boolean;
  since: number;
  controller: AbortController;
  upWaiters: (() => void)[];
}

export class OutageMonitor {
  private readonly hosts = new Map<string, HostHealth>();
  private readonly closed = sharedController();
  private readonly threshold: number;
  private readonly firstProbeDelayMs: number;
  private readonly maxProbeDelayMs: number;
  private readonly probeTimeoutMs: number;
  private readonly log: Logger;
  private readonly probes = new Set<Promise<void>>();
  private readonly startedAt = Date.now();
  private readonly firstContactTimeoutMs: number;
  /** True once any host answered in this run: from then on, a dead host is an outage. */
  private reached = false;
  /** A request failed on the connection: until then a failing user is not waiting for the site. */
  private failedToConnect = false;
  private firstContactTimer: NodeJS.Timeout | undefined;
  private unreachableError: SiteUnreachableError | undefined;

  constructor(
    private readonly probeClient: HttpClient,
    private readonly options: OutageOptions,
  ) {
    this.threshold = Math.max(1, options.failureThreshold);
    this.firstProbeDelayMs = options.firstProbeDelayMs ?? PROBE_DEFAULTS.firstProbeDelayMs;
    this.maxProbeDelayMs = options.maxProbeDelayMs;
    this.probeTimeoutMs = options.probeTimeoutMs ?? PROBE_DEFAULTS.probeTimeoutMs;
    this.firstContactTimeoutMs = options.firstContactTimeoutMs;
    this.log = options.logger ?? silentLogger;
  }

  isDown(host: string): boolean {
    return this.hosts.get(host)?.down ?? false;
  }

  downHosts(): string[] {
    return [...this.hosts].filter(([, h]) => h.down).map(([host]) => host);
  }

  /** Aborted with a SiteDownError the moment `host` is declared down. */
  downSignal(host: string): AbortSignal {
    return this.health(host).controller.signal;
  }

  /**
   * True while requests have failed, no host has answered yet in this run and
   * firstContactTimeoutMs has not passed: connection failures then say nothing about a user.
   * Bounded, so an adapter whose requests never pass through the monitor cannot keep its users
   * cycling; and a user that timed out without any request failing is the user's own trouble.
   */
  get awaitingFirstContact(): boolean {
    return this.failedToConnect && !this.reached && Date.now() - this.startedAt < this.firstContactTimeoutMs;
  }

  /** Set when the site never answered in this run within firstContactTimeoutMs: the run must stop. */
  get unreachable(): SiteUnreachableError | undefined {
    return this.unreachableError;
  }

  recordSuccess(host: string): void {
    this.reached = true;
    const health = this.hosts.get(host);
    if (health && !health.down) health.failures = 0;
  }

  recordFailure(host: string, url: string, error: unknown): void {
    const health = this.health(host);
    if (health.down || this.closed.signal.aborted) return;
    this.failedToConnect = true;
    health.failures++;
    health.lastUrl = url;
    if (health.failures < this.threshold) return;
    health.down = true;
    health.since = Date.now();
    this.log.warn(
      `site ${host} down after ${health.failures} failed requests in a row (${describeError(error)}); pausing, next probe in ${formatMs(this.firstProbeDelayMs)}`,
      { host },
    );
    this.options.onDown?.(host, health.since);
    health.controller.abort(new SiteDownError(`site ${host} is down`));
    if (!this.reached) this.armFirstContact(host, error);
    const probe = this.probeLoop(host, health).finally(() => this.probes.delete(probe));
    this.probes.add(probe);
  }

  /** Resolve when no host is down (or at once), reject when `signal` aborts. */
  async whenAllUp(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.unreachableError) throw this.unreachableError;
      const down = [...this.hosts.values()].find((h) => h.down);
      if (!down || this.closed.signal.aborted) return;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal?.reason);
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        down.upWaiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  /** Stop probing; waiting callers are released. */
  async close(): Promise<void> {
    clearTimeout(this.firstContactTimer);
    this.closed.abort();
    await Promise.allSettled([...this.probes]);
    for (const health of this.hosts.values()) for (const wake of health.upWaiters.splice(0)) wake();
  }

  /** Gives a never-reached site until firstContactTimeoutMs after the start, then gives up on it. */
  private armFirstContact(host: string, error: unknown): void {
    if (this.firstContactTimer) return;
    const origin = probeUrl(this.hosts.get(host)?.lastUrl, host);
    const wait = Math.max(0, this.startedAt + this.firstContactTimeoutMs - Date.now());
    this.firstContactTimer = setTimeout(() => {
      if (this.reached || this.closed.signal.aborted) return;
      this.unreachableError = new SiteUnreachableError(
        `could not reach ${origin} in ${formatMs(Date.now() - this.startedAt)} since the start (${describeError(error)})`,
        { hint: 'check --base-url and the network; the users went back to pending, nothing was lost' },
      );
      for (const health of this.hosts.values()) for (const wake of health.upWaiters.splice(0)) wake();
    }, wait);
    this.firstContactTimer.unref?.();
  }

  private health(host: string): HostHealth {
    let health = this.hosts.get(host);
    if (!health) {
      health = { failures: 0, down: false, since: 0, controller: sharedController(), upWaiters: [] };
      this.hosts.set(host, health);
    }
    return health;
  }

  private async probeLoop(host: string, health: HostHealth): Promise<void> {
    let delay = this.firstProbeDelayMs;
    const origin = probeUrl(health.lastUrl, host);
    for (;;) {
      try {
        await sleep(delay, this.closed.signal);
      } catch {
        return;
      }
      let ok = false;
      let why = '';
      try {
        const response = await this.probeClient.get(origin, {
          timeoutMs: this.probeTimeoutMs,
          signal: this.closed.signal,
        });
        ok = response.status < 500;
        why = `HTTP ${response.status}`;
      } catch (error) {
        if (this.closed.signal.aborted) return;
        why = describeError(error);
      }
      if (ok) {
        const downMs = Date.now() - health.since;
        health.down = false;
        health.failures = 0;
        health.controller = sharedController();
        this.log.info(`site ${host} is back after ${formatMs(downMs)}; resuming`, { host });
        this.options.onUp?.(host, downMs);
        for (const wake of health.upWaiters.splice(0)) wake();
        return;
      }
      delay = Math.min(this.maxProbeDelayMs, delay * 2);
      this.log.warn(
        `site ${host} down for ${formatMs(Date.now() - health.since)}, next probe in ${formatMs(delay)}`,
        { host, probe: why },
      );
    }
  }
}

function probeUrl(lastUrl: string | undefined, host: string): string {
  try {
    if (lastUrl) return new URL('/', lastUrl).toString();
  } catch {}
  return `https://${host}/`;
}
