import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

/** Load the built package the way users do, in a plain Node process (no Vitest, no TypeScript). */
function node(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
}

describe('the built package (npm test builds it first)', () => {
  it('exposes createCrawler, defineConfig and errors through ESM and CommonJS', () => {
    expect(
      node(
        "const m = await import('csdn-crawl'); console.log(typeof m.createCrawler, typeof m.defineConfig, new m.NotFoundError('x').code)",
      ),
    ).toBe('function function NOT_FOUND');
    expect(
      node(
        "import { createRequire } from 'node:module'; const m = createRequire(process.cwd() + '/x.js')('csdn-crawl'); console.log(typeof m.createCrawler)",
      ),
    ).toBe('function');
  });

  it('serves the replica from csdn-crawl/testing/replica without a test runner installed in the process', () => {
    const out = node(
      "const { startReplica } = await import('csdn-crawl/testing/replica'); const r = await startReplica({ users: 3 }); const res = await fetch(r.url + '/' + r.usernames[0]); console.log(res.status, r.truth(r.usernames[0]).profile.username === r.usernames[0]); await r.close();",
    );
    expect(out).toBe('200 true');
  });
});
