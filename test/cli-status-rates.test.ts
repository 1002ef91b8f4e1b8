import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { statusCommand } from '../src/cli/commands/state-commands.js';
import { formatProgress } from '../src/cli/progress.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** What a running worker and an ended run leave in a SQLite state for `status`, another process. */
async function stateWithRates() {
  dir = await mkdtemp(path.join(os.tmpdir(), 'status-rates-'));
  const state = await openKeyvStateStore({ path: path.join(dir, 'state.sqlite') });
  await state.heartbeat!({
    workerId: 'w1',
    host: 'pi',
    pid: 42,
    startedAt: Date.now() - 60_000,
    lastSeen: Date.now(),
    inFlight: 3,
    rate: 12,
    requestRates: { 'blog.csdn.net': 2.5 },
  });
  await state.setMeta!('lastRun', {
    workerId: 'w0',
    endedAt: Date.now() - 3_600_000,
    durationMs: 60_000,
    done: 10,
    usersPerMinute: 10,
    rates: { 'blog.csdn.net': 3.2 },
  });
  await state.close();
  return dir;
}

describe('status and the progress line show the adaptive rate', () => {
  it('text: each worker with its rate per host, the last run with the rate it ended at', async () => {
    const dataDir = await stateWithRates();
    const lines: string[] = [];
    await statusCommand({ dataDir }, (l) => lines.push(l));
    expect(lines.find((l) => l.startsWith('worker w1'))).toContain('12.0 users/min, rate 2.5/s, seen');
    expect(lines.find((l) => l.startsWith('last run'))).toContain('(10.0 users/min, rate 3.2/s at the end)');
  });

  it('--json carries the rates as numbers', async () => {
    const dataDir = await stateWithRates();
    const lines: string[] = [];
    await statusCommand({ dataDir, json: true }, (l) => lines.push(l));
    const status = JSON.parse(lines.join('\n'));
    expect(status.workers[0].requestRates).toEqual({ 'blog.csdn.net': 2.5 });
    expect(status.lastRun.rates).toEqual({ 'blog.csdn.net': 3.2 });
  });

  it('the progress line: one host without its name, several with theirs, none without adaptation', () => {
    const p = { done: 1, failed: 0, notfound: 0, inFlight: 2, pending: 3, usersPerMin: 4 };
    expect(formatProgress({ ...p, rates: { 'blog.csdn.net': 26.4 } })).toMatch(/users\/min, rate 26\/s$/);
    expect(formatProgress({ ...p, rates: { a: 1, b: 0.5 } })).toMatch(/rate a 1\.0\/s b 0\.5\/s$/);
    expect(formatProgress({ ...p, rates: {} })).toMatch(/users\/min$/);
  });
});
