import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { runReportCommand, serveReport } from '../../report/index.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';
import { listenError, portFlag } from '../numeric-flags.js';
import { openResultsForReading } from './open-for-reading.js';

/** A `--from`/`--to` date (ISO, e.g. 2026-01-31 or 2026-01-31T12:00Z) as epoch ms. */
function dateFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(String(value));
  if (Number.isNaN(at))
    throw new InvalidInputError(`--${name} ${JSON.stringify(value)} is not a date`, {
      hint: 'give an ISO date, e.g. 2026-01-31 or 2026-01-31T12:00:00Z',
    });
  return at;
}

export async function reportCommand(
  flags: CommonFlags & { out?: string; open?: boolean; title?: string; from?: string; to?: string },
  print: (line: string) => void,
  printErr: (line: string) => void,
): Promise<number> {
  if (!flags.out)
    throw new InvalidInputError('report needs --out <dir>', { hint: 'e.g. csdn-crawl report --out report' });
  const growth = { from: dateFlag('from', flags.from), to: dateFlag('to', flags.to) };
  const config = await configFromFlags(flags);
  const results = await openResultsForReading(config);
  try {
    const summary = await runReportCommand({
      results,
      out: flags.out,
      title: flags.title,
      growth,
      open: flags.open,
      log: printErr,
    });
    print(summary.indexFile);
  } finally {
    await results.close();
  }
  return EXIT.ok;
}

/** Serve a built report over HTTP on localhost (for browsers that restrict file:// pages). */
export async function serveCommand(
  dir: string,
  flags: { port?: number; host?: string },
  print: (line: string) => void,
) {
  const port = portFlag(flags.port, 8081);
  const host = String(flags.host ?? '127.0.0.1');
  const info = await stat(String(dir)).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new InvalidInputError(`${dir} is not a directory${info ? '' : ' (it does not exist)'}`, {
      hint: 'give the --out directory of csdn-crawl report',
    });
  }
  if (!(await stat(path.join(String(dir), 'index.html')).catch(() => undefined))?.isFile()) {
    throw new InvalidInputError(`${dir} holds no report (no index.html)`, {
      hint: 'build one first: csdn-crawl report --out <dir>',
    });
  }
  const served = await serveReport({ dir: String(dir), port, host }).catch((error: unknown) => {
    throw listenError(error, host, port);
  });
  print(`serving ${dir} at ${served.url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await served.close();
  return EXIT.ok;
}
