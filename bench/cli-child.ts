/** Worker processes of the built CLI, for the benches that run a fleet of them. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/csdn-crawl.mjs', import.meta.url));

export interface CliChild {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output: () => string;
  exit: Promise<number | null>;
}

export function cli(args: string[]): CliChild {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.on('data', (c) => {
    text += c;
  });
  child.stderr?.on('data', (c) => {
    text += c;
  });
  return { child, output: () => text, exit: once(child, 'exit').then(([code]) => code as number | null) };
}

/** The CLI runs from dist/: a bench of worker processes needs it built. */
export function requireBuiltCli(): void {
  if (!existsSync(path.resolve(path.dirname(BIN), '../dist/cli.js'))) {
    throw new Error('dist/ is missing: run `npx tsup --silent` first');
  }
}
