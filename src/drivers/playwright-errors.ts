import { ClickInterceptedError, CrawlError, DriverCrashError, TimeoutError } from '../core/errors.js';

// Playwright colours its call log; the escape codes would end up in our messages.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const INTERCEPTED = /intercepts pointer events|would receive the click/i;
const GONE =
  /Target (page, context or browser )?(has been |is )?closed|Browser (has been )?closed|browser has disconnected|crash|WebSocket|Connection closed|ECONNREFUSED|ECONNRESET/i;

export function isInterception(error: unknown): boolean {
  return error instanceof Error && INTERCEPTED.test(error.message);
}

/** The line of Playwright's call log naming the element in the way, for the error message. */
export function interceptor(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const line = error.message.split('\n').find((l) => INTERCEPTED.test(l));
  return line
    ?.replace(ANSI, '')
    .replace(/^\s*-\s*/, '')
    .trim();
}

/**
 * Translate a Playwright failure into the crawler's classes: its TimeoutError into ours, a dead
 * browser or page into DriverCrashError, an intercepted click into ClickInterceptedError.
 */
export function mapPlaywrightError(
  error: unknown,
  context: { what: string; timeoutMs?: number; gone: () => boolean; selector?: string },
): unknown {
  if (error instanceof CrawlError) return error;
  if (!(error instanceof Error)) return error;
  if (isInterception(error)) {
    return new ClickInterceptedError(
      `${context.what}: ${interceptor(error) ?? 'another element received the click'}`,
      {
        cause: error,
        selector: context.selector,
      },
    );
  }
  if (context.gone() || GONE.test(error.message)) {
    return new DriverCrashError(`${context.what}: browser or page is gone (${firstLine(error.message)})`, {
      cause: error,
    });
  }
  if (error.name === 'TimeoutError') {
    const after = context.timeoutMs === undefined ? '' : ` after ${context.timeoutMs} ms`;
    return new TimeoutError(`${context.what} timed out${after}`, { cause: error });
  }
  return error;
}

function firstLine(message: string): string {
  return message.split('\n')[0].slice(0, 200);
}
