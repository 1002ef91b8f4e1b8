import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { statusCommand } from '../src/cli/commands/state-commands.js';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';

const H = 3_600_000;
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A SQLite state with users done at various due times: now, within the hour, the day, later. */
async function stateWithDueTimes() {
  dir = await mkdtemp(path.join(os.tmpdir(), 'status-due-'));
  const state = await openKeyvStateStore({ path: path.join(dir, 'state.sqlite') });
  const now = Date.now();
  const dues: Record<string, number> = {
    a: now - H,
    b: now + 0.5 * H,
    c: now + 5 * H,
    d: now + 30 * H,
  };
  await state.add(Object.keys(dues));
  await state.claim('w', 4, 60_000);
  for (const [id, dueAt] of Object.entries(dues)) await state.complete('w', id, 'done', undefined, { dueAt });
  await state.close();
  return { dataDir: dir, nextDueAt: dues.b };
}

describe('status: refreshes due', () => {
  it('--json carries the due summary', async () => {
    const { dataDir } = await stateWithDueTimes();
    const lines: string[] = [];
    await statusCommand({ dataDir, json: true }, (l) => lines.push(l));
    const status = JSON.parse(lines.join('\n'));
    expect(status.due).toMatchObject({ dueNow: 1, nextHour: 1, nextDay: 1, later: 1 });
    expect(typeof status.due.nextDueAt).toBe('number');
    expect(status.counts.done).toBe(4);
  });

  it('text: one line with the counts and the next due time', async () => {
    const { dataDir } = await stateWithDueTimes();
    const lines: string[] = [];
    await statusCommand({ dataDir }, (l) => lines.push(l));
    const line = lines.find((l) => l.startsWith('due:'));
    expect(line).toMatch(
      /^due: 1 now, 1 in the next hour, 1 in the next day, 1 later; next \d{4}-\d\d-\d\dT.* \(in \d+ min\)$/,
    );
  });
});
