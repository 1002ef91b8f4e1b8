import { InvalidInputError } from '../../core/errors.js';
import { EXPORT_FORMATS, type ExportFormat, exportResults } from '../../export/export-results.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';
import { openResultsForReading } from './open-for-reading.js';

/** What a row is, for the formats of one row per stored item. */
const ROW_NOUNS: Partial<Record<ExportFormat, string>> = {
  'edges-csv': 'follow edges',
  'history-csv': 'article history points',
  'snapshots-csv': 'profile snapshots',
};

export async function exportCommand(
  flags: CommonFlags & { format?: string; out?: string },
  /** The summary line: stderr, so `--out -` keeps stdout for the data alone. */
  printErr: (line: string) => void,
): Promise<number> {
  const format = (flags.format ?? 'jsonl') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new InvalidInputError(`unknown export format ${JSON.stringify(flags.format)}`, {
      hint: `use --format ${EXPORT_FORMATS.slice(0, -1).join(', ')} or ${EXPORT_FORMATS.at(-1)}`,
    });
  }
  if (!flags.out)
    throw new InvalidInputError('export needs --out <file>', {
      hint: 'e.g. --out users.jsonl, or --out - for stdout',
    });
  const target = String(flags.out);
  const config = await configFromFlags(flags);
  const results = await openResultsForReading(config);
  try {
    const { users, articles, rows } = await exportResults(results, format, target);
    const where = target === '-' ? 'stdout' : target;
    const what = ROW_NOUNS[format];
    if (what) printErr(`exported ${rows} ${what} to ${where}`);
    else printErr(`exported ${users} users and ${articles} articles to ${where}`);
  } finally {
    await results.close();
  }
  return EXIT.ok;
}
