/**
 * The two replicas of bench/soak.ts, served from a child process so that every figure the soak
 * samples is the crawler's. The child is bench/soak.ts itself with `--replica`; it speaks one
 * JSON line per message on stdout, and reads commands from stdin: `stats` answers the request
 * counts of both replicas, the end of stdin (the parent closing it, or dying) closes them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { ReplicaStats } from '../src/testing/replica/replica-types.js';

export interface ReplicaInfo {
  api: { url: string; usernames: string[] };
  legacy: { url: string; usernames: string[] };
  /** Replica time per real time; 0 when the replicas are frozen. */
  timeScale: number;
}

export interface ReplicaSetup {
  users: number;
  legacyUsers: number;
  /** 0: frozen replicas (the classic soak); otherwise living ones at this time scale. */
  timeScale: number;
}

export type ReplicaStatsPair = { api: ReplicaStats; legacy: ReplicaStats };

/** Child side: serve both replicas until stdin closes. */
export async function serveReplicas(setup: ReplicaSetup): Promise<void> {
  const { FAULT_PRESETS, startReplica } = await import('../src/testing/replica/index.js');
  const living = setup.timeScale > 0 ? { timeScale: setup.timeScale } : {};
  const api = await startReplica({
    users: setup.users,
    seed: 61,
    faults: { ...FAULT_PRESETS.realistic, challenge: true, challengeCookieUses: 150 },
    ...living,
  });
  const legacy = await startReplica({
    users: setup.legacyUsers,
    seed: 62,
    legacyOnly: true,
    maxArticlesPerUser: 60,
    ...living,
  });
  const info: ReplicaInfo = {
    api: { url: api.url, usernames: api.usernames },
    legacy: { url: legacy.url, usernames: legacy.usernames },
    timeScale: setup.timeScale,
  };
  // Ctrl-C in a terminal signals the whole process group: the parent decides when we close
  // (it still needs the replicas to stop its crawlers cleanly and to ask for the stats).
  process.on('SIGINT', () => {});
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    if (line.trim() === 'stats') {
      const stats: ReplicaStatsPair = { api: api.stats(), legacy: legacy.stats() };
      process.stdout.write(`${JSON.stringify({ stats })}\n`);
    }
  });
  commands.on('close', () => {
    void Promise.all([api.close(), legacy.close()]).then(() => process.exit(0));
  });
}

export interface ReplicaChild {
  info: ReplicaInfo;
  /** The request counts of both replicas so far. */
  stats(): Promise<ReplicaStatsPair>;
  close(): void;
  child: ChildProcess;
}

/** Parent side: start the child with `setup` and wait until it serves. */
export function startReplicaChild(script: string, setup: ReplicaSetup): Promise<ReplicaChild> {
  const viteNode = path.resolve(path.dirname(script), '../node_modules/.bin/vite-node');
  const args = [script, '--replica', '--users', String(setup.users)];
  args.push('--legacy-users', String(setup.legacyUsers), '--time-scale', String(setup.timeScale));
  const child = spawn(viteNode, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: ((stats: ReplicaStatsPair) => void)[] = [];
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const message = JSON.parse(line) as ReplicaInfo | { stats: ReplicaStatsPair };
      if ('stats' in message) waiting.shift()?.(message.stats);
      else
        resolve({
          info: message,
          child,
          stats: () =>
            new Promise((answer) => {
              waiting.push(answer);
              child.stdin?.write('stats\n');
            }),
          close: () => child.stdin?.end(),
        });
    });
    child.once('exit', (code) => reject(new Error(`replica child exited with ${code}`)));
  });
}
