/** `--json` before any `--`: fatal errors are then printed as JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

let installed = false;

/**
 * `csdn-crawl status | head -3`: once the reader is gone, nothing more can be shown, so the command
 * ends quietly with 0 (as `cat` does), instead of an EPIPE stack.
 */
export function endQuietlyOnClosedPipe(): void {
  if (installed) return;
  installed = true;
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    process.stderr.write(`csdn-crawl: cannot write output: ${error.code ?? error.message}\n`);
    process.exit(3);
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    onError(error);
  });
}

/** The argument parser reads a lone `-` as "no value"; `--out -` (stdout) becomes `--out=-`. */
export function keepDashValue(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return [...out, ...argv.slice(i)];
    if (argv[i] === '--out' && argv[i + 1] === '-') {
      out.push('--out=-');
      i++;
    } else out.push(argv[i]);
  }
  return out;
}
