import { ClickInterceptedError, CrawlError, DriverCrashError, TimeoutError } from '../core/errors.js';

const GONE =
  /not reachable|disconnected|session deleted|crash|invalid session id|no such window|target window already closed|ECONNREFUSED|ECONNRESET|socket hang up/i;

/**
 * Translate a selenium-webdriver failure: ElementClickInterceptedError into ClickInterceptedError,
 * its timeouts into TimeoutError, a dead chromedriver or Chromium into DriverCrashError.
 */
export function mapSeleniumError(
  error: unknown,
  context: { what: string; timeoutMs?: number; gone: () => boolean; selector?: string },
): unknown {
  if (error instanceof CrawlError) return error;
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'ElementClickInterceptedError') {
    return new ClickInterceptedError(`${context.what}: ${firstLine(error.message)}`, {
      cause: error,
      selector: context.selector,
    });
  }
  if (
    context.gone() ||
    error.name === 'NoSuchSessionError' ||
    error.name === 'NoSuchWindowError' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    GONE.test(error.message)
  ) {
    return new DriverCrashError(
      `${context.what}: browser or chromedriver is gone (${firstLine(error.message)})`,
      {
        cause: error,
      },
    );
  }
  if (error.name === 'TimeoutError' || error.name === 'ScriptTimeoutError') {
    const after = context.timeoutMs === undefined ? '' : ` after ${context.timeoutMs} ms`;
    return new TimeoutError(`${context.what} timed out${after}`, { cause: error });
  }
  return error;
}

function firstLine(message: string): string {
  return message.split('\n')[0].slice(0, 200);
}
