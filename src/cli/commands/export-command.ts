import { InvalidInputError } from '../../core/errors.js';
import { type ExportFormat, exportResults } from '../../export/export-results.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';
import { openResultsForReading } from './open-for-reading.js';

export async function exportCommand(
  flags: CommonFlags & { format?: string; out?: string },
  /** The summary line: stderr, so `--out -` keeps stdout for the data alone. */
  printErr: (line: string) => void,
): Promise<number> {
  const format = (flags.format ?? 'jsonl') as ExportFormat;
  if (format !== 'jsonl' && format !== 'csv' && format !== 'edges-csv') {
    throw new InvalidInputError(`unknown export format ${JSON.stringify(flags.format)}`, {
      hint: 'use --format jsonl, csv or edges-csv',
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
    const { users, articles, edges } = await exportResults(results, format, target);
    const where = target === '-' ? 'stdout' : target;
    if (format === 'edges-csv') printErr(`exported ${edges} follow edges to ${where}`);
    else printErr(`exported ${users} users and ${articles} articles to ${where}`);
  } finally {
    await results.close();
  }
  return EXIT.ok;
}
