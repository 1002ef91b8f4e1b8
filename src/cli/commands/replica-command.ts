import { InvalidInputError } from '../../core/errors.js';
import { type FaultPreset, startReplica } from '../../testing/replica/index.js';
import { intFlag, listenError, portFlag } from '../numeric-flags.js';
import { checkDrifts } from './replica-drift-flag.js';

const PRESETS: FaultPreset[] = ['none', 'realistic', 'hostile', 'challenge'];

export interface ReplicaFlags {
  port?: number;
  host?: string;
  users?: number;
  seed?: number;
  faults?: string;
  legacyOnly?: boolean;
  drift?: string;
  timeScale?: number;
}

export function checkPreset(faults: string | undefined): FaultPreset {
  const preset = (faults ?? 'none') as FaultPreset;
  if (!PRESETS.includes(preset)) {
    throw new InvalidInputError(`unknown fault preset ${JSON.stringify(faults)}`, {
      hint: `use one of ${PRESETS.join(', ')}`,
    });
  }
  return preset;
}

/** Serve the local CSDN replica until interrupted. */
export async function replicaCommand(flags: ReplicaFlags, print: (line: string) => void): Promise<number> {
  const port = portFlag(flags.port, 8080);
  const host = String(flags.host ?? '127.0.0.1');
  const options = {
    port,
    host,
    users: intFlag('users', flags.users, 500, { min: 1, max: 10_000_000 }),
    seed: intFlag('seed', flags.seed, 1),
    faults: checkPreset(flags.faults),
    drift: checkDrifts(flags.drift),
    legacyOnly: Boolean(flags.legacyOnly),
    ...(flags.timeScale === undefined ? {} : { timeScale: timeScaleFlag(flags.timeScale) }),
  };
  const replica = await startReplica(options).catch((error: unknown) => {
    throw listenError(error, host, port);
  });
  print(
    `CSDN replica serving ${replica.usernames.length} users at ${replica.url} (${options.timeScale ? `living, time scale ${options.timeScale}, ` : ''}faults: ${flags.faults ?? 'none'}${flags.drift ? `, drift: ${checkDrifts(flags.drift).join(',')}` : ''})`,
  );
  print(
    `try ${replica.url}/${replica.usernames[0]} ; crawl it with: csdn-crawl run --base-url ${replica.url} ${replica.usernames.slice(0, 3).join(' ')}`,
  );
  print(
    `check it with: csdn-crawl doctor --base-url ${replica.url} --users ${replica.usernames.slice(0, 2).join(',')}`,
  );
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await replica.close();
  return 0;
}

/** Replica time per real time: 86400 makes one replica day pass in a second. */
function timeScaleFlag(value: unknown): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidInputError(
      `--time-scale must be a positive number, got ${JSON.stringify(String(value))}`,
      {
        hint: 'for example --time-scale 86400 (a replica day per second)',
      },
    );
  }
  return n;
}
