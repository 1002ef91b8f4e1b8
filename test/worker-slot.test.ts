import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireWorkerSlot } from '../src/config/worker-slot.js';

const root = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'csdn-slot-'));
  dirs.push(dir);
  return dir;
}
/** A pid no process has: above the kernel's pid_max. */
const DEAD_PID = 4_194_305 + 17;

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

  it('never gives one dead slot to two processes started at the same instant', async () => {
    const dir = dataDir();
    mkdirSync(path.join(dir, 'workers'), { recursive: true });
    writeFileSync(path.join(dir, 'workers', 'slot-0.pid'), String(DEAD_PID));
    const script = path.join(dir, 'child.ts');
    // Each child waits for the same wall-clock instant, takes a slot and holds it for a while.
    const at = Date.now() + 2500;
    writeFileSync(
      script,
      `import { acquireWorkerSlot } from ${JSON.stringify(path.join(root, 'src/config/worker-slot.ts'))};
while (Date.now() < ${at}) {}
const slot = acquireWorkerSlot(${JSON.stringify(dir)});
process.stdout.write(slot.workerId + '\\n');
setTimeout(() => slot.release(), 1500);
`,
    );
    const ids = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(path.join(root, 'node_modules/.bin/vite-node'), [script], {
              stdio: ['ignore', 'pipe', 'inherit'],
            });
            let out = '';
            child.stdout.on('data', (chunk) => {
              out += chunk;
            });
            child.on('error', reject);
            child.on('exit', () => resolve(out.trim()));
          }),
      ),
    );
    expect(
      ids.every((id) => /:\d+$/.test(id)),
      ids.join(' '),
    ).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  }, 30_000);
});
