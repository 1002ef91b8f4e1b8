import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyvStateStore } from '../src/stores/keyv-state-store.js';
import { openSqliteResultStore } from '../src/stores/sqlite-result-store.js';

const run = promisify(execFile);
const repo = path.resolve(__dirname, '..');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csdn-mp-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SQLite stores shared by several processes', () => {
  it('hand out every ID once and write every result, with no "database is locked"', async () => {
    const statePath = path.join(dir, 'state.sqlite');
    const resultsPath = path.join(dir, 'results.sqlite');
    const state = await openKeyvStateStore({ path: statePath });
    const ids = Array.from({ length: 150 }, (_, i) => `user${i}`);
    await state.add(ids);
    await state.close();
    (await openSqliteResultStore(resultsPath)).close();

    const child = path.join(dir, 'worker.ts');
    const src = (file: string) => JSON.stringify(path.join(repo, 'src/stores', file));
    await writeFile(
      child,
      `import { openKeyvStateStore } from ${src('keyv-state-store.ts')};
import { openSqliteResultStore } from ${src('sqlite-result-store.ts')};
const state = await openKeyvStateStore({ path: ${JSON.stringify(statePath)} });
const results = await openSqliteResultStore(${JSON.stringify(resultsPath)});
const owner = 'proc-' + process.pid;
const mine = [];
for (;;) {
  const leases = await state.claim(owner, 4, 60000);
  if (leases.length === 0) break;
  await Promise.all(leases.map(async (lease) => {
    await results.saveUser({
      username: lease.id,
      source: 'api',
      profile: { username: lease.id, fansCount: 1 },
      articles: [{ articleId: '1', title: 't', url: 'u', type: 'original', postTime: '', viewCount: 1, commentCount: 0 }],
      follows: ['hub'],
    }, 1000);
    if (!(await state.complete(owner, lease.id, 'done'))) throw new Error('lost ' + lease.id);
    mine.push(lease.id);
  }));
}
await state.close();
await results.close();
console.log(JSON.stringify(mine));
`,
    );
    const viteNode = path.join(repo, 'node_modules', '.bin', 'vite-node');
    const outputs = await Promise.all(
      [1, 2, 3].map(() => run(viteNode, [child], { cwd: repo, timeout: 90_000 })),
    );
    const all = outputs.flatMap((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as string[]);
    expect(outputs.map((o) => o.stderr).join('')).not.toMatch(/locked|busy/i);
    expect(all).toHaveLength(150);
    expect(new Set(all).size).toBe(150);

    const check = await openKeyvStateStore({ path: statePath });
    expect(await check.counts()).toMatchObject({ pending: 0, leased: 0, done: 150 });
    await check.close();
    const results = await openSqliteResultStore(resultsPath);
    expect(await results.counts()).toEqual({ users: 150, articles: 150, snapshots: 150, edges: 150 });
    expect(await results.getEdges('hub')).toMatchObject({ follows: [] });
    expect((await results.getEdges('hub')).fans).toHaveLength(150);
    await results.close();
  });
});
