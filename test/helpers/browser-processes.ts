import { randomUUID } from 'node:crypto';
import { hasEnv, listProcs } from '../../src/drivers/chromium-process.js';

/** Live Chromium processes whose environment carries `name=value` (children inherit it). */
export function taggedBrowsers(name: string, value: string): number[] {
  return listProcs()
    .filter((p) => p.state !== 'Z' && p.state !== 'X' && p.pid !== process.pid && /chrom/i.test(p.comm))
    .filter((p) => hasEnv(p.pid, name, value))
    .map((p) => p.pid);
}

/**
 * Marks this test process's environment so every browser it starts (children inherit the
 * environment) can be found later, however it was detached.
 */
export function tagBrowserProcesses(): { live: () => number[] } {
  const name = 'CSDN_E2E_BROWSER_RUN';
  const run = randomUUID();
  process.env[name] = run;
  return { live: () => taggedBrowsers(name, run) };
}
