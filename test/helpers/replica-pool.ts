import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { type Replica, type ReplicaOptions, startReplica } from '../../src/testing/replica/index.js';

/**
 * For a test file that starts several replicas and crawls each into its own data directory:
 * one temporary root for the data directories, and every replica started through `start`
 * closed (and the root deleted) after the file's tests. Call it at the top level of the file.
 */
export function replicaPool(
  tmpPrefix: string,
  defaults: ReplicaOptions = {},
): { root: string; start: (options: ReplicaOptions) => Promise<Replica> } {
  const root = mkdtempSync(path.join(tmpdir(), tmpPrefix));
  const replicas: Replica[] = [];
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    rmSync(root, { recursive: true, force: true });
  });
  return {
    root,
    start: async (options) => {
      const replica = await startReplica({ ...defaults, ...options });
      replicas.push(replica);
      return replica;
    },
  };
}
