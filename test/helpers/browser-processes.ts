import { randomUUID } from 'node:crypto';
import { hasEnv, listProcs } from '../../src/drivers/chromium-process.js';

const TAG = 'CSDN_E2E_BROWSER_RUN';

/**
 * Marks this test process's environment so every browser it starts (children inherit the
 * environment) can be found later, however it was detached.
 */
export function tagBrowserProcesses(): { live: () => number[] } {
  const run = randomUUID();
  process.env[TAG] = run;
  return {
    live: () =>
      listProcs()
        .filter((p) => p.state !== 'Z' && p.state !== 'X' && p.pid !== process.pid)
        .filter((p) => /chrom/i.test(p.comm) && hasEnv(p.pid, TAG, run))
        .map((p) => p.pid),
  };
}
