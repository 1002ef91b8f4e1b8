import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, listProcs, OWNER_PID_ENV, sweepOrphans } from '../src/drivers/chromium-process.js';

const root = path.resolve(import.meta.dirname, '..');

/** A pid no process has: above the kernel's pid_max. */
const DEAD_PID = 4_194_305 + 23;
const started: ChildProcess[] = [];

function sleeper(owner: number): ChildProcess {
  const child = spawn('sleep', ['30'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [OWNER_PID_ENV]: String(owner) },
  });
  started.push(child);
  return child;
}

async function gone(pid: number, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('sweepOrphans', () => {
  it('kills what a dead crawler started and leaves what a live one started', async () => {
    const orphan = sleeper(DEAD_PID);
    const mine = sleeper(process.pid);
    const other = sleeper(process.ppid); // the test runner: alive
    await new Promise((r) => setTimeout(r, 200)); // let exec() replace the environment
    const killed = sweepOrphans();
    expect(killed).toContain(orphan.pid);
    expect(killed).not.toContain(mine.pid);
    expect(killed).not.toContain(other.pid);
    expect(await gone(orphan.pid!)).toBe(true);
    expect(isAlive(mine.pid)).toBe(true);
    expect(isAlive(other.pid)).toBe(true);
  });

  it("kills the Chromium that a SIGKILLed crawler's chromedriver started (selenium)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'csdn-sweep-'));
    try {
      const script = path.join(dir, 'crawler.ts');
      writeFileSync(
        script,
        `import { seleniumDriver } from ${JSON.stringify(path.join(root, 'src/drivers/selenium.ts'))};
const browser = await seleniumDriver().launch({});
process.stdout.write(JSON.stringify({ chromedriver: browser.pid }) + '\\n');
setInterval(() => {}, 1000);
`,
      );
      const crawler = spawn(path.join(root, 'node_modules/.bin/vite-node'), [script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      started.push(crawler);
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        crawler.stdout!.on('data', (chunk) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.trim());
        });
        crawler.on('exit', () => reject(new Error(`crawler exited early: ${out}`)));
      });
      const { chromedriver } = JSON.parse(line) as { chromedriver: number };
      const chromium = listProcs().filter((p) => p.ppid === chromedriver && p.state !== 'Z');
      expect(chromium.length).toBeGreaterThan(0);
      crawler.kill('SIGKILL');
      expect(await gone(chromedriver)).toBe(true); // the parent-death signal reaches chromedriver
      sweepOrphans();
      for (const proc of chromium) expect(await gone(proc.pid), proc.comm).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
