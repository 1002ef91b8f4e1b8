import type { Logger, LogLevel } from '../core/logger.js';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * The redrawn progress line on a terminal. A log line first clears it, then it is drawn again
 * below, so log text never ends up glued to the end of the bar.
 */
const statusLine: { stream?: NodeJS.WritableStream; text?: string } = {};

export function showStatusLine(stream: NodeJS.WritableStream, text: string | undefined): void {
  statusLine.stream = stream;
  statusLine.text = text;
  stream.write(text === undefined ? '\r\x1b[K' : `\r${text}\x1b[K`);
}

/** Ends the status line for good: it stays visible, and the next output starts on a fresh line. */
export function endStatusLine(): void {
  if (statusLine.stream && statusLine.text !== undefined) statusLine.stream.write('\n');
  statusLine.stream = undefined;
  statusLine.text = undefined;
}

function writeLine(out: NodeJS.WritableStream, line: string): void {
  if (statusLine.stream === out && statusLine.text !== undefined) {
    out.write(`\r\x1b[K${line}\n${statusLine.text}\x1b[K`);
  } else {
    out.write(`${line}\n`);
  }
}

/** Human lines on stderr, or one JSON object per line with --json. Stdout stays for data. */
export function createCliLogger(options: {
  json: boolean;
  level?: LogLevel;
  out?: NodeJS.WritableStream;
}): Logger {
  const out = options.out ?? process.stderr;
  const min = ORDER[options.level ?? 'info'];
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    if (options.json) {
      writeLine(out, JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
      return;
    }
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    const tag = level === 'info' ? '' : `${level}: `;
    writeLine(out, `${new Date().toISOString().slice(11, 19)} ${tag}${message}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
