import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { DriverCrashError, TimeoutError } from '../core/errors.js';
import { sleep } from './chromium-deadline.js';

/**
 * Environment variable set on every process we spawn. Chromium's crashpad handler leaves the
 * process group (setsid), so a kill that only signals the group would orphan it; the tag in
 * /proc/<pid>/environ finds it anyway.
 */
export const BROWSER_TAG_ENV = 'CSDN_CRAWL_BROWSER_TAG';

/**
 * The pid of the crawler that started the process, inherited by everything below it. A
 * crawler killed with SIGKILL leaves the Chromium that chromedriver started (chromedriver's
 * child, so the parent-death signal does not reach it); the next crawler finds it by this.
 */
export const OWNER_PID_ENV = 'CSDN_CRAWL_OWNER_PID';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One letter from /proc/<pid>/stat: R, S, D, Z (zombie), T (stopped) ... */
  state: string;
  comm: string;
}

export function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: the fields after it start at the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    return { pid, comm, state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
}

export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** True while the process exists and is not a zombie (zombies hold no memory and cannot be killed). */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  const info = readProc(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
}

/** True when `NAME=value` is in the process's initial environment. */
export function hasEnv(pid: number, name: string, value: string): boolean {
  return readEnv(pid, name) === value;
}

/** The value of `name` in the process's initial environment, if set. */
function readEnv(pid: number, name: string): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const entry = environ.split('\0').find((e) => e.startsWith(`${name}=`));
    return entry?.slice(name.length + 1);
  } catch {
    return undefined;
  }
}

function hasTag(pid: number, tag: string): boolean {
  return hasEnv(pid, BROWSER_TAG_ENV, tag);
}

/** The command line of a process as its arguments (empty when it is gone). */
export function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Live processes that belong to the tree started as `pid`: its process group, its descendants
 * (in case one changed group), and anything carrying `tag` in its environment.
 */
export function treeMembers(pid: number, tag?: string): number[] {
  const procs = listProcs().filter((p) => p.state !== 'Z' && p.state !== 'X');
  const members = new Set<number>();
  for (const p of procs) if (p.pid === pid || p.pgid === pid) members.add(p.pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!members.has(p.pid) && members.has(p.ppid)) {
        members.add(p.pid);
        grew = true;
      }
    }
  }
  if (tag) for (const p of procs) if (!members.has(p.pid) && hasTag(p.pid, tag)) members.add(p.pid);
  return [...members];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * SIGKILL the whole tree and wait (bounded) until none of it is alive. Never throws, never hangs:
 * resolves after at most `waitMs` even if the kernel is slow to tear the processes down.
 */
export async function killTree(pid: number | undefined, tag?: string, waitMs = 3000): Promise<void> {
  if (!pid) return;
  const end = Date.now() + waitMs;
  for (;;) {
    signal(-pid, 'SIGKILL');
    const members = treeMembers(pid, tag);
    for (const member of members) signal(member, 'SIGKILL');
    if (members.length === 0 || Date.now() >= end) return;
    await sleep(50);
  }
}

/**
 * Kill every process a dead crawler started (its owner pid in the environment, the owner
 * gone). Returns the pids killed. Processes of a crawler still running are left alone.
 */
export function sweepOrphans(): number[] {
  const killed: number[] = [];
  for (const proc of listProcs()) {
    if (proc.pid === process.pid || proc.state === 'Z') continue;
    const owner = Number(readEnv(proc.pid, OWNER_PID_ENV));
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || isAlive(owner)) continue;
    signal(proc.pid, 'SIGKILL');
    killed.push(proc.pid);
  }
  return killed;
}

let swept = false;

export interface SpawnedProcess {
  child: ChildProcess;
  pid: number;
  tag: string;
  /** The first match of `ready` in the process's output. */
  match: RegExpExecArray;
  /** Resolves when the process exits (immediately if it already has). */
  exited: Promise<void>;
  hasExited(): boolean;
}

let setprivPath: string | null | undefined;

/**
 * On Linux, start through `setpriv --pdeathsig KILL` (util-linux; it execs, so the pid stays
 * the program's): a crawler killed with SIGKILL cannot run its exit hook, and the kernel then
 * kills the browser for it instead of leaving it to init.
 */
function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  if (process.platform !== 'linux') return [command, args];
  if (setprivPath === undefined) {
    setprivPath =
      ['/usr/bin/setpriv', '/bin/setpriv'].find((candidate) => {
        try {
          accessSync(candidate, constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }) ?? null;
  }
  return setprivPath ? [setprivPath, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
}

/**
 * Start `command` in its own process group (so the group can be killed as one) and wait until
 * its stdout or stderr matches `ready`. Fails with DriverCrashError when it exits first, and
 * TimeoutError (after killing it) when it is not ready in time.
 */
export function spawnUntilReady(
  command: string,
  args: string[],
  options: { ready: RegExp; timeoutMs: number; what: string },
): Promise<SpawnedProcess> {
  if (!swept) {
    swept = true;
    sweepOrphans();
  }
  const tag = randomUUID();
  const [program, programArgs] = withParentDeathSignal(command, args);
  const child = spawn(program, programArgs, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [BROWSER_TAG_ENV]: tag, [OWNER_PID_ENV]: String(process.pid) },
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  return new Promise<SpawnedProcess>((resolve, reject) => {
    let output = '';
    let settled = false;
    const finish = (error?: Error, match?: RegExpExecArray) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        void killTree(child.pid, tag).then(() => reject(error));
        return;
      }
      // Keep draining output so a chatty browser never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      resolve({
        child,
        pid: child.pid!,
        tag,
        match: match!,
        exited: exitedPromise,
        hasExited: () => exited,
      });
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      output = (output + chunk.toString('utf8')).slice(-20_000);
      const match = options.ready.exec(output);
      if (match) finish(undefined, match);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) =>
      finish(new DriverCrashError(`${options.what} could not start: ${error.message}`, { cause: error })),
    );
    child.once('exit', (code, sig) =>
      finish(
        new DriverCrashError(
          `${options.what} exited before it was ready (code ${code}, signal ${sig}): ${output.trim().slice(-500)}`,
        ),
      ),
    );
    const timer = setTimeout(
      () => finish(new TimeoutError(`${options.what} was not ready after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
  });
}
