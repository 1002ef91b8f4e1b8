import { formatTime } from './population.js';

/** The fuzzy labels of today's skin ("前天 16:23", "3 年前"), relative to the replica's now. */
export function fuzzyTime(postTime: string, nowMs: number): string {
  const ms = Date.parse(`${postTime.replace(' ', 'T')}Z`);
  const ageDays = Math.floor((nowMs - ms) / 86400_000);
  const hhmm = postTime.slice(11, 16);
  if (ageDays < 0) return `今天 ${hhmm}`;
  if (ageDays === 0) return `今天 ${hhmm}`;
  if (ageDays === 1) return `昨天 ${hhmm}`;
  if (ageDays === 2) return `前天 ${hhmm}`;
  if (ageDays < 30) return `${ageDays} 天前`;
  if (ageDays < 365) return `${Math.floor(ageDays / 30)} 个月前`;
  return `${Math.floor(ageDays / 365)} 年前`;
}

export const NOW_MS = Date.UTC(2025, 5, 1, 12, 0, 0);
export { formatTime };
