import { afterAll, beforeAll } from 'vitest';
import { type Replica, type ReplicaOptions, startReplica } from '../../src/testing/replica/index.js';

export interface ReplicaFetch {
  readonly replica: Replica;
  get(path: string): Promise<{ status: number; body: string }>;
  api(endpoint: string, query: string): Promise<{ status: number; body: string }>;
  /** The first user whose article count and name pass `test`. */
  userWhere(test: (articles: number, name: string) => boolean): string;
}

/** One replica for the whole file (started in beforeAll, closed in afterAll) and raw fetches against it. */
export function useReplicaFetch(options: ReplicaOptions): ReplicaFetch {
  let replica: Replica | undefined;
  beforeAll(async () => {
    replica = await startReplica(options);
  });
  afterAll(async () => {
    await replica?.close();
  });
  const started = (): Replica => {
    if (!replica) throw new Error('the replica is not started yet');
    return replica;
  };
  const get = async (p: string) => {
    const res = await fetch(started().url + p);
    return { status: res.status, body: await res.text() };
  };
  return {
    get replica() {
      return started();
    },
    get,
    api: (endpoint, query) => get(`/community/home-api/v1/${endpoint}?${query}`),
    userWhere(test) {
      const r = started();
      const name = r.usernames.find((u) => test(r.truth(u)?.articles.length ?? -1, u));
      if (!name) throw new Error('no such user in the population');
      return name;
    },
  };
}
