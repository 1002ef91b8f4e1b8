import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireWorkerSlot } from '../src/crawler/worker-slot.js';

const root = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'csdn-slot-'));
  dirs.push(dir);
  return dir;
}
/** A pid no process has: above the kernel's pid_max. */
const DEAD_PID = 4_194_305 + 17;
const PROCESSES = 20;
const ROUNDS = 10;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('acquireWorkerSlot', () => {
  it('gives processes side by side different ids and the lowest free slot back after release', () => {
    const dir = dataDir();
    const a = acquireWorkerSlot(dir);
    const b = acquireWorkerSlot(dir);
    expect(a.workerId).toMatch(/:0$/);
    expect(b.workerId).toMatch(/:1$/);
    a.release();
    const c = acquireWorkerSlot(dir);
    expect(c.workerId).toBe(a.workerId);
    b.release();
    c.release();
  });

  it("takes over a dead process's slot, so a restarted worker keeps its id (and its leases)", () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, 'workers'), { recursive: true });
    writeFileSync(path.join(dir, 'workers', 'slot-0.pid'), String(DEAD_PID));
    const slot = acquireWorkerSlot(dir);
    expect(slot.workerId).toMatch(/:0$/);
    expect(readFileSync(path.join(dir, 'workers', 'slot-0.pid'), 'utf8')).toBe(String(process.pid));
    slot.release();
  });

  it('never gives one slot to two processes started at the same instant (20 processes, 10 rounds)', async () => {
    const work = dataDir();
    // Plain node children start in tens of milliseconds, so 20 of them meet at each instant.
    const bundle = path.join(work, 'slot-child.mjs');
    await build({
      entryPoints: [path.join(root, 'src/crawler/worker-slot.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: path.join(work, 'worker-slot.mjs'),
      logLevel: 'silent',
    });
    const rounds = Array.from({ length: ROUNDS }, (_, r) => {
      const dir = path.join(work, `round-${r}`);
      mkdirSync(path.join(dir, 'workers'), { recursive: true });
      // Every round has a dead holder's slot to fight over, and rounds alternate where it is.
      writeFileSync(path.join(dir, 'workers', `slot-${r % 3}.pid`), String(DEAD_PID));
      return dir;
    });
    // Barriers on files, not on the clock: a loaded machine starts children late, and a child
    // that arrived after the others released would fairly get a slot someone already used.
    writeFileSync(
      bundle,
      `import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { acquireWorkerSlot } from './worker-slot.mjs';
const rounds = ${JSON.stringify(rounds)};
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
async function barrier(dir, tag) {
  writeFileSync(path.join(dir, tag + '-' + process.pid), '');
  for (;;) {
    const files = readdirSync(dir).filter((f) => f.startsWith(tag + '-'));
    if (files.length >= ${PROCESSES}) return Math.max(...files.map((f) => statSync(path.join(dir, f)).mtimeMs));
    await sleep(5);
  }
}
for (const dir of rounds) {
  // Everyone computes the same instant from the same files, then all take a slot at once.
  const last = await barrier(dir, 'ready');
  await sleep(last + 100 - Date.now());
  const slot = acquireWorkerSlot(dir);
  process.stdout.write(rounds.indexOf(dir) + ' ' + slot.workerId + '\\n');
  await barrier(dir, 'taken');
  slot.release();
}
`,
    );
    const outputs = await Promise.all(
      Array.from(
        { length: PROCESSES },
        () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, [bundle], { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (chunk) => {
              out += chunk;
            });
            child.on('error', reject);
            child.on('exit', (code) =>
              code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`)),
            );
          }),
      ),
    );
    const byRound = new Map<number, string[]>();
    for (const line of outputs.join('').trim().split('\n')) {
      const [round, id] = line.split(' ');
      byRound.set(Number(round), [...(byRound.get(Number(round)) ?? []), id]);
    }
    expect(byRound.size).toBe(ROUNDS);
    for (const [round, ids] of byRound) {
      expect(ids.length, `round ${round}`).toBe(PROCESSES);
      expect(
        ids.every((id) => /:\d+$/.test(id)),
        ids.join(' '),
      ).toBe(true);
      expect(new Set(ids).size, `round ${round}: ${ids.sort().join(' ')}`).toBe(PROCESSES);
    }
  }, 60_000);

  it('treats a slot file without a pid as taken, never as a dead holder', () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, 'workers'), { recursive: true });
    writeFileSync(path.join(dir, 'workers', 'slot-0.pid'), '');
    writeFileSync(path.join(dir, 'workers', 'slot-1.pid'), 'garbage');
    const slot = acquireWorkerSlot(dir);
    expect(slot.workerId).toMatch(/:2$/);
    expect(readFileSync(path.join(dir, 'workers', 'slot-0.pid'), 'utf8')).toBe('');
    slot.release();
  });
});
