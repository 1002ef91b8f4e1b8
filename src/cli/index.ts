import { cac } from 'cac';
import { demoCommand } from './commands/demo-command.js';
import { doctorCommand } from './commands/doctor-command.js';
import { exportCommand } from './commands/export-command.js';
import { removeCommand } from './commands/remove-command.js';
import { replicaCommand } from './commands/replica-command.js';
import { reportCommand, serveCommand } from './commands/report-command.js';
import { runCommand } from './commands/run-command.js';
import { addCommand, promoteCommand, retryCommand, statusCommand } from './commands/state-commands.js';
import { handleError } from './handle-error.js';
import { createCliLogger } from './logger.js';
import { endQuietlyOnClosedPipe, keepDashValue, wantsJson } from './process-output.js';

export { handleError };

const VERSION = '0.1.0';

type Flags = Record<string, never> & Record<string, unknown>;

/** Flags every store-touching command shares, declared once. */
function storeFlags<T extends ReturnType<ReturnType<typeof cac>['command']>>(command: T): T {
  return command
    .option(
      '--config <file>',
      'Config file (default: csdn-crawl.config.{ts,mjs,js,json} in the current directory)',
    )
    .option(
      '--data-dir <dir>',
      'Directory for the default stores, snapshots and worker locks (default ./.csdn-crawl)',
    )
    .option('--store <path|url>', 'State store: a SQLite file, memory, or redis://…')
    .option('--results <path|url>', 'Result store: a SQLite file or postgres://…')
    .option('--base-url <url>', 'Site origin (default https://blog.csdn.net)');
}

/**
 * Build the command line. Exported so tests parse argv without spawning a process
 * (`parse(argv, { run: false })`).
 */
export function buildCli(out: (line: string) => void, err: (line: string) => void) {
  const cli = cac('csdn-crawl');
  let pending: Promise<number> = Promise.resolve(0);
  const logger = (flags: { json?: boolean }) => createCliLogger({ json: Boolean(flags.json) });

  storeFlags(cli.command('run [...ids]', 'Crawl the given IDs and everything pending'))
    .option('--ids-file <file>', 'File with one ID per line')
    .option('--concurrency <n>', 'Users crawled at once (default 4)')
    .option('--driver <name>', 'auto | http | playwright | selenium (default auto)')
    .option('--discover', 'Follow fans and follows lists into the backlog')
    .option('--max-depth <n>', 'Discovery depth (default 1)')
    .option(
      '--graph <lists>',
      'Follow lists stored as edges: follows,fans | follows | fans | none (default follows,fans)',
    )
    .option('--worker-id <id>', 'Worker identity in a shared store (default: host + data dir + slot)')
    .option('--stop-timeout <ms>', 'Grace period for in-flight users after a stop signal (default 10000)')
    .option('--watch', 'Never drain: refresh users as they come due, until a signal (docs/watching.md)')
    .option('--json', 'Machine-readable logs: one JSON object per line on stderr')
    .option('--metrics <port>', 'Serve Prometheus metrics at http://127.0.0.1:<port>/metrics during the run')
    .action((ids: string[], flags: Flags) => {
      pending = runCommand(ids, flags, logger(flags));
    });

  storeFlags(cli.command('add [...ids]', 'Add IDs to pending (or --backlog) without crawling'))
    .option('--ids-file <file>', 'File with one ID per line')
    .option('--backlog', 'Add to the backlog instead of pending')
    .option('--recrawl', 'Queue IDs again even when already crawled')
    .action((ids: string[], flags: Flags) => {
      pending = addCommand(ids, flags, out, err);
    });

  storeFlags(cli.command('remove [...ids]', 'Take IDs out of every set (undo a wrong add)'))
    .option('--ids-file <file>', 'File with one ID per line')
    .action((ids: string[], flags: Flags) => {
      pending = removeCommand(ids, flags, out);
    });

  storeFlags(cli.command('promote <n>', 'Move n IDs from backlog to pending')).action(
    (n: unknown, flags: Flags) => {
      pending = promoteCommand(n, flags, out);
    },
  );

  storeFlags(cli.command('status', 'Counts per set, refreshes due, last run, live workers, recent failures'))
    .option('--json', 'Print one JSON object')
    .action((flags: Flags) => {
      pending = statusCommand(flags, out);
    });

  storeFlags(cli.command('retry', 'Move failed IDs (or, with --notfound, not-found IDs) back to pending'))
    .option('--notfound', 'Re-queue the IDs judged not found instead (e.g. after a wrong --base-url)')
    .action((flags: Flags) => {
      pending = retryCommand(flags, out);
    });

  storeFlags(cli.command('export', 'Write results to a file'))
    .option('--format <format>', 'jsonl | csv | edges-csv | history-csv | snapshots-csv (default jsonl)')
    .option('--out <file>', 'Output file (replaced only when the export succeeds); - for stdout')
    .action((flags: Flags) => {
      pending = exportCommand(flags, err);
    });

  storeFlags(cli.command('report', 'Write a static charts report (works offline)'))
    .option('--out <dir>', 'Output directory')
    .option('--open', 'Open it in the default browser')
    .option('--title <title>', 'Title shown on the pages')
    .option('--from <date>', 'Start of the fastest-growing window (default: the first crawl)')
    .option('--to <date>', 'End of that window (default: the latest crawl)')
    .action((flags: Flags) => {
      pending = reportCommand(flags, out, err);
    });

  cli
    .command('doctor', 'Check the live site (or --base-url) against what the adapter expects')
    .option(
      '--config <file>',
      'Config file (default: csdn-crawl.config.{ts,mjs,js,json} in the current directory)',
    )
    .option('--data-dir <dir>', 'Evidence goes to <dir>/doctor/<timestamp>/ (default ./.csdn-crawl)')
    .option('--base-url <url>', 'Site origin (default https://blog.csdn.net)')
    .option(
      '--users <a,b>',
      'Probe users (default: long-lived public accounts; required for another --base-url)',
    )
    .option('--json', 'Print one JSON object')
    .action((flags: Flags) => {
      pending = doctorCommand(flags, out);
    });

  cli
    .command('serve <dir>', 'Serve a built report on localhost')
    .option('--port <port>', 'Port (default 8081)')
    .option('--host <host>', 'Address (default 127.0.0.1)')
    .action((dir: string, flags: Flags) => {
      pending = serveCommand(dir, flags, out);
    });

  cli
    .command('demo', 'Start the local CSDN replica, crawl it, print a summary')
    .option('--users <n>', 'Replica users (default 50)')
    .option('--faults <preset>', 'none | realistic | hostile | challenge (default realistic)')
    .option('--concurrency <n>', 'Users crawled at once (default 8)')
    .option('--driver <name>', 'auto | http | playwright | selenium (default http)')
    .option('--data-dir <dir>', 'Keep the demo data here (default: a temporary directory)')
    .option('--json', 'Machine-readable logs')
    .action((flags: Flags) => {
      pending = demoCommand(flags, logger(flags), out);
    });

  cli
    .command('replica', 'Serve the local CSDN replica (for tests, demos, trying things out)')
    .option('--port <port>', 'Port (default 8080; 0 for any)')
    .option('--host <host>', 'Address (default 127.0.0.1)')
    .option('--users <n>', 'Initial users (default 500)')
    .option('--seed <n>', 'Population seed (default 1)')
    .option('--faults <preset>', 'none | realistic | hostile | challenge (default none)')
    .option('--legacy-only', 'The whole site in the 2018-2019 skin, no JSON API')
    .option('--drift <list>', 'Changes of the site for doctor: renamed-fields,page-cap,… (docs/replica.md)')
    .option(
      '--time-scale <n>',
      'A replica that lives: replica time per real time, 86400 = a day per second (default frozen)',
    )
    .action((flags: Flags) => {
      pending = replicaCommand(flags, out);
    });

  cli.help();
  cli.version(VERSION);
  return { cli, result: () => pending };
}

/** Entry of bin/csdn-crawl: resolves with the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  endQuietlyOnClosedPipe();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  const json = wantsJson(argv);
  try {
    const { cli, result } = buildCli(out, err);
    cli.parse(keepDashValue(argv), { run: false });
    if (!cli.matchedCommand) {
      if (cli.options.help || cli.options.version) return 0;
      if (cli.args.length > 0) {
        return handleError(
          Object.assign(new Error(`unknown command "${cli.args[0]}"`), { name: 'CACError' }),
          err,
          { json },
        );
      }
      cli.outputHelp();
      return 0;
    }
    await cli.runMatchedCommand();
    return await result();
  } catch (error) {
    return handleError(error, err, { json });
  }
}
