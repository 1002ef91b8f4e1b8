import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultResultsSpec } from '../../config/data-dir.js';
import { InvalidInputError } from '../../core/errors.js';
import { buildReport } from '../../report/index.js';
import { openResultStore } from '../../stores/open.js';
import { type CommonFlags, configFromFlags } from '../config-from-flags.js';
import { EXIT } from '../exit-codes.js';

export async function reportCommand(
  flags: CommonFlags & { out?: string; open?: boolean },
  print: (line: string) => void,
): Promise<number> {
  if (!flags.out)
    throw new InvalidInputError('report needs --out <dir>', { hint: 'e.g. csdn-crawl report --out report' });
  const config = await configFromFlags(flags);
  const results = await openResultStore(defaultResultsSpec(config));
  try {
    await buildReport({ results, outDir: flags.out });
  } finally {
    await results.close();
  }
  const index = path.resolve(flags.out, 'index.html');
  print(`report written: ${pathToFileURL(index).href}`);
  if (flags.open) {
    const { spawn } = await import('node:child_process');
    const opener =
      process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    spawn(opener, [index], { stdio: 'ignore', detached: true })
      .on('error', () => print(`open ${index} in a browser`))
      .unref();
  }
  return EXIT.ok;
}
