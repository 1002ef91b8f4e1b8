import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;

/**
 * A duration: milliseconds as a number, or text such as `'6h'`, `'7d'`, `'90m'` (units ms, s, m,
 * h, d), resolved to milliseconds. For the long spans of `refresh`, where 604800000 is unreadable;
 * five units need no library.
 */
export function durationMs(minMs: number) {
  return z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const match = DURATION.exec(value);
      if (!match) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `${JSON.stringify(value)} is no duration (write e.g. 90m, 6h, 7d, or milliseconds)`,
        });
        return z.NEVER;
      }
      return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
    })
    .pipe(z.number().int().min(minMs));
}
