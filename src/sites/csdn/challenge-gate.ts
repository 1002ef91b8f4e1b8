import { AbortedError, BlockedError, CrawlError, TimeoutError } from '../../core/errors.js';
import type { CrawlContext } from '../../core/site-adapter.js';
import { isChallengeHtml } from './classify-response.js';

export interface ChallengeGateOptions {
  /** Deadline for the browser to get past the check. */
  timeoutMs: number;
  /** How often the page is looked at while waiting. */
  pollMs?: number;
}

/**
 * Passes the 521 check in a browser and hands the cookies it earned to the HTTP client.
 * One pass at a time per host, shared by every user this adapter crawls: callers that meet
 * the check while a pass runs wait for it, and a check met by a request sent before the last
 * pass finished is answered by retrying with the fresh cookies, not by another pass.
 */
export class ChallengeGate {
  private readonly running = new Map<string, Promise<void>>();
  private readonly passedAt = new Map<string, number>();
  private readonly pollMs: number;

  constructor(private readonly options: ChallengeGateOptions) {
    this.pollMs = options.pollMs ?? 250;
  }

  /** Time of the last successful pass for a host (0 when none). */
  lastPass(host: string): number {
    return this.passedAt.get(host) ?? 0;
  }

  /** Make sure a pass newer than `sentAt` exists for the host of `url`. */
  async pass(url: string, sentAt: number, context: CrawlContext): Promise<void> {
    const host = new URL(url).hostname;
    if (this.lastPass(host) > sentAt) return;
    let running = this.running.get(host);
    if (!running) {
      running = this.passInBrowser(url, host, context).finally(() => this.running.delete(host));
      this.running.set(host, running);
    }
    await running;
  }

  private async passInBrowser(url: string, host: string, context: CrawlContext): Promise<void> {
    context.log.info('passing the security check in a browser', { host });
    const lease = await context.page();
    const { page } = lease;
    try {
      const { timeoutMs } = this.options;
      const deadline = Date.now() + timeoutMs;
      await page.goto(url, { timeoutMs });
      for (;;) {
        if (context.signal.aborted)
          throw new BlockedError('challenge', 'stopped while passing the security check');
        const html = await page.content({ timeoutMs: Math.max(1000, deadline - Date.now()) }).catch(() => '');
        if (html !== '' && !isChallengeHtml(html)) break;
        if (Date.now() >= deadline) {
          throw new TimeoutError(
            `browser did not get past the security check of ${host} within ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, this.pollMs));
      }
      const cookies = await page.cookies();
      context.http.setCookies(
        host,
        cookies.map(({ name, value }) => ({ name, value })),
      );
      this.passedAt.set(host, Date.now());
      context.log.info('security check passed', { host, cookies: cookies.map((c) => c.name) });
    } catch (error) {
      const wrapped =
        error instanceof BlockedError || error instanceof AbortedError
          ? error
          : new BlockedError(
              'challenge',
              `could not pass the security check of ${host}: ${messageOf(error)}`,
              {
                cause: error,
              },
            );
      if (!wrapped.snapshot) {
        wrapped.snapshot = await context
          .snapshot({ page, error: wrapped, url, label: 'challenge' })
          .catch(() => undefined);
      }
      throw wrapped;
    } finally {
      await lease.release();
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof CrawlError || error instanceof Error ? error.message : String(error);
}
