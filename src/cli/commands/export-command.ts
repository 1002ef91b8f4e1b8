import { defaultResultsSpec } from '../../config/data-dir.js';
import { InvalidInputError } from '../../core/errors.js';
import { type ExportFormat, exportResults } from '../../export/export-results.js';
import { openResultStore } from '../../stores/open.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';

export async function exportCommand(
  flags: CommonFlags & { format?: string; out?: string },
  print: (line: string) => void,
): Promise<number> {
  const format = (flags.format ?? 'jsonl') as ExportFormat;
  if (format !== 'jsonl' && format !== 'csv' && format !== 'edges-csv') {
    throw new InvalidInputError(`unknown export format ${JSON.stringify(flags.format)}`, {
      hint: 'use --format jsonl, csv or edges-csv',
    });
  }
  if (!flags.out)
    throw new InvalidInputError('export needs --out <file>', { hint: 'e.g. --out users.jsonl' });
  const config = await configFromFlags(flags);
  const results = await openResultStore(defaultResultsSpec(config));
  try {
    const { users, articles, edges } = await exportResults(results, format, flags.out);
    if (format === 'edges-csv') print(`exported ${edges} follow edges to ${flags.out}`);
    else print(`exported ${users} users and ${articles} articles to ${flags.out}`);
  } finally {
    await results.close();
  }
  return EXIT.ok;
}
