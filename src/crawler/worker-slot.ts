import { createHash } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in a slot file; undefined when the file holds no valid pid. */
function holderOf(file: string): number | undefined {
  const text = readFileSync(file, 'utf8').trim();
  const pid = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Write our pid to a temporary file first, so a slot file never exists without its content:
 * a reader that saw a file being filled would take the empty pid for a dead holder.
 */
function withPidFile<T>(file: string, use: (tmp: string) => T): T {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, String(process.pid));
  try {
    return use(tmp);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Renamed into place: nothing left to remove.
    }
  }
}

/** Create the slot file with our pid in one step; false when it exists already. */
function claimFree(file: string): boolean {
  return withPidFile(file, (tmp) => {
    try {
      linkSync(tmp, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  });
}

/**
 * Replace a dead holder's slot file under a lock directory (mkdir is atomic), after checking
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
    if (holderOf(file) !== deadHolder) return false;
    withPidFile(file, (tmp) => renameSync(tmp, file));
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
    if (!claimFree(file)) {
      let holder: number | undefined;
      try {
        holder = holderOf(file);
      } catch {
        continue;
      }
      // A file without a valid pid is someone's, not a dead holder's: files are created whole,
      // so it can only be damage, and taking it could give one slot to two processes.
      if (holder === undefined || holder === process.pid || alive(holder)) continue;
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
          if (holderOf(file) === process.pid) unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      },
    };
  }
  return { workerId: `${base}:pid${process.pid}`, release() {} };
}
