/**
 * Last-resort cleanup: when Node exits while browsers are still running (an uncaught error, a
 * process.exit() from a signal handler), SIGKILL their process groups synchronously from the
 * 'exit' hook, because nothing asynchronous runs after it and orphaned Chromium is not reaped.
 * One listener serves every pool in the process.
 */
import { readFileSync } from 'node:fs';

const tracked = new Set<number>();
let hooked = false;

function killNow(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone, or not a group leader
    }
  }
}

/**
 * False when the pid now belongs to something else: the browser died unnoticed and the kernel
 * gave its number to another program, which must not be killed.
 */
function stillOurs(pid: number): boolean {
  let comm: string;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8');
  } catch {
    return true; // gone (or no /proc): signalling the group is harmless
  }
  return /chrom|headless_shell|msedge|firefox|driver/i.test(comm);
}

function onExit(): void {
  for (const pid of tracked) if (stillOurs(pid)) killNow(pid);
  tracked.clear();
}

export function trackBrowserPid(pid: number | undefined): void {
  if (!pid) return;
  tracked.add(pid);
  if (!hooked) {
    hooked = true;
    process.on('exit', onExit);
  }
}

export function untrackBrowserPid(pid: number | undefined): void {
  if (pid) tracked.delete(pid);
}

/** SIGKILL a browser's process group and pid right away (when its own kill() misbehaves). */
export function killBrowserPidNow(pid: number | undefined): void {
  if (pid) killNow(pid);
}

/** Pids the exit hook would kill now (for tests and diagnostics). */
export function trackedBrowserPids(): number[] {
  return [...tracked];
}
