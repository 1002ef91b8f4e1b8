/** The engine's logger (every line also a 'log' event) and per-user loggers derived from it. */
import type { TypedEmitter } from '../events.js';
import type { Logger, LogLevel } from '../logger.js';

export function engineLogger(base: Logger | undefined, emitter: Pick<TypedEmitter, 'emit'>): Logger {
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    base?.[level](message, fields);
    emitter.emit('log', { level, message, fields });
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export function childLogger(base: Logger, fields: Record<string, unknown>): Logger {
  const wrap = (level: LogLevel) => (message: string, more?: Record<string, unknown>) =>
    base[level](message, { ...fields, ...more });
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
