import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { type Replica, startReplica } from '../../src/testing/replica/index.js';
import { BIN } from '../helpers/cli-process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a real process, stdout and stderr kept apart. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    uid: options.uid,
    gid: options.uid,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** A user mistake reads as one line naming the problem: no stack, nothing else. */
export function expectOneLine(result: CliResult, code: number, pattern: RegExp, progress?: RegExp): void {
  expect(result.code, `${result.stderr}${result.stdout}`).toBe(code);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/unexpected error/);
  const lines = result.stderr
    .trim()
    .split('\n')
    .filter((line) => !progress?.test(line));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

export function tempDir(name: string): string {
  return mkdtempSync(path.join(tmpdir(), `csdn-bad-${name}-`));
}

/** Every file below `dir` with its size and mtime: "created nothing, changed nothing" in one value. */
export function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      const info = statSync(full);
      if (info.isDirectory()) walk(full);
      else out.push(`${path.relative(dir, full)} ${info.size} ${info.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

export interface Crawled {
  replica: Replica;
  dataDir: string;
  /** `status --json` counts and a JSONL export, taken after the crawl. */
  before: { counts: unknown; export: string };
  /** The same two, now: equal to `before` when a mistake left the results intact. */
  now(): Promise<{ counts: unknown; export: string }>;
  /** `csdn-crawl run` over this data directory and replica (http driver), with `args` after. */
  run(args?: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

/** A small crawl of the replica, the earlier results every mistake must leave intact. */
export async function crawlSome(name: string, users = 4): Promise<Crawled> {
  const replica = await startReplica({ port: 0, users: 12, seed: 7, faults: 'none', maxArticlesPerUser: 40 });
  const root = tempDir(name);
  const dataDir = path.join(root, 'data');
  const ids = replica.usernames.slice(0, users);
  const run = (args: string[] = []) =>
    runCli(['run', '--data-dir', dataDir, '--driver', 'http', '--base-url', replica.url, ...args]);
  const first = await run(ids);
  expect(first.code, first.stderr).toBe(0);
  const now = async () => {
    const status = await runCli(['status', '--data-dir', dataDir, '--json']);
    const exported = await runCli(['export', '--data-dir', dataDir, '--out', '-']);
    expect(status.code, status.stderr).toBe(0);
    expect(exported.code, exported.stderr).toBe(0);
    return { counts: JSON.parse(status.stdout).counts, export: exported.stdout };
  };
  const before = await now();
  expect(before.export.trim().split('\n')).toHaveLength(users);
  return {
    replica,
    dataDir,
    before,
    now,
    run,
    async close() {
      await replica.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A copy of a real results file with one table's root page overwritten: it opens and lists users,
 * then fails on that table half way through a command (what a damaged disk does).
 */
export async function damagedCopy(file: string, table: string, dest: string): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as {
    rootpage: number;
  };
  db.close();
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  bytes.fill(0xa5, (rootpage - 1) * pageSize, rootpage * pageSize);
  writeFileSync(dest, bytes);
}
