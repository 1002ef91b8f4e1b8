import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Rewrite a dead holder's slot file under a lock directory (mkdir is atomic), after checking
 * again that the dead holder is still the one written there. False when another process holds
 * the lock or took the slot first.
 */
function takeOver(file: string, deadHolder: number): boolean {
  const lock = `${file}.takeover`;
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A lock left by a process killed in these few microseconds would block the slot forever.
    try {
      if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmdirSync(lock);
    } catch {
      // Removed by its owner meanwhile.
    }
    return false;
  }
  try {
    if (Number(readFileSync(file, 'utf8').trim()) !== deadHolder) return false;
    writeFileSync(file, String(process.pid));
    return true;
  } catch {
    return false;
  } finally {
    try {
      rmdirSync(lock);
    } catch {
      // Already removed as stale by another process.
    }
  }
}

const STALE_LOCK_MS = 10_000;

export interface WorkerSlot {
  workerId: string;
  release(): void;
}

/**
 * A stable worker identity: host + data directory + the lowest free slot number. A process
 * restarted after a crash gets the same slot (its predecessor's pid is dead), hence the same
 * worker id, and so reclaims its own leases at once instead of waiting for them to expire;
 * processes running side by side on one machine get different slots.
 */
export function acquireWorkerSlot(dataDir: string): WorkerSlot {
  const dir = path.join(dataDir, 'workers');
  mkdirSync(dir, { recursive: true });
  const base = `${hostname()}:${createHash('sha1').update(path.resolve(dataDir)).digest('hex').slice(0, 8)}`;
  for (let slot = 0; slot < 1024; slot++) {
    const file = path.join(dir, `slot-${slot}.pid`);
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(file, 'utf8').trim());
      } catch {
        continue;
      }
      if (holder === process.pid || alive(holder)) continue;
      // The holder died: take its slot (and, through the id, its leases), unless another
      // process started at the same instant is taking it: the takeover lock decides.
      if (!takeOver(file, holder)) continue;
    }
    let released = false;
    return {
      workerId: `${base}:${slot}`,
      release() {
        if (released) return;
        released = true;
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      },
    };
  }
  return { workerId: `${base}:pid${process.pid}`, release() {} };
}
