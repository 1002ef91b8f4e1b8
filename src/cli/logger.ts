import type { Logger, LogLevel } from '../core/logger.js';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

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
      out.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
      return;
    }
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    const tag = level === 'info' ? '' : `${level}: `;
    out.write(`${new Date().toISOString().slice(11, 19)} ${tag}${message}${extra}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
