/**
 * Dates in the report. Article times come as `YYYY-MM-DD HH:mm:ss` in China time (UTC+8);
 * snapshot times are epoch milliseconds. Months are computed in China time for both, so an
 * article and the snapshot taken the same evening fall into the same month.
 */

const CHINA_OFFSET_MS = 8 * 3600_000;
const POST_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/** `YYYY-MM` of a post time, or undefined when the text is not a plausible date. */
export function postMonth(postTime: string | undefined): string | undefined {
  const m = typeof postTime === 'string' ? POST_TIME.exec(postTime) : null;
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (year < 1990 || year > 2200 || month < 1 || month > 12) return undefined;
  return `${m[1]}-${m[2]}`;
}

/** Epoch ms of a post time, or undefined. */
export function postEpoch(postTime: string | undefined): number | undefined {
  const m = typeof postTime === 'string' ? POST_TIME.exec(postTime) : null;
  if (!m) return undefined;
  const t = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  return Number.isFinite(t) ? t - CHINA_OFFSET_MS : undefined;
}

/** `YYYY-MM` of an epoch time, in China time. */
export function epochMonth(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms + CHINA_OFFSET_MS);
  const year = d.getUTCFullYear();
  if (year < 1990 || year > 2200) return undefined;
  return `${year}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Every month from first to last inclusive, so charts show gaps as zeros, not as nothing. */
export function monthRange(first: string, last: string): string[] {
  const out: string[] = [];
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  const endY = Number(last.slice(0, 4));
  const endM = Number(last.slice(5, 7));
  while ((y < endY || (y === endY && m <= endM)) && out.length < 5000) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** ISO-like `YYYY-MM-DD HH:mm` in UTC, for labels of snapshot times. */
export function formatUtc(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : '';
}
