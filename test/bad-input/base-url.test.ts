import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/stores/open.js';
import { runCli as cli, closedPort, errorLines } from '../helpers/cli-process.js';

describe('base URLs that can never work', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-base-url-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['ftp://blog.csdn.net', 'http:// or https://'],
    ['file:///etc/passwd', 'http:// or https://'],
    ['https://blog.csdn.net/some/path', 'has a path'],
    ['http://127.0.0.1:8080/?x=1', 'has a path'],
    ['not a url', 'invalid url'],
  ])('%s is a one-line config error (exit 2) before anything is opened', async (url, says) => {
    const dataDir = path.join(root, `cfg-${encodeURIComponent(url)}`);
    const run = await cli(
      ['run', '--base-url', url, '--data-dir', dataDir, '--driver', 'http', 'someone'],
      root,
    );
    expect(run.code, run.output).toBe(2);
    const errors = errorLines(run.output);
    expect(errors, run.output).toHaveLength(1);
    expect(errors[0].toLowerCase()).toContain(says);
    expect(run.output).not.toContain('    at ');
  });

  it('a dead base URL on a first run ends after outage.firstContactTimeoutMs with exit 6; users stay pending', {
    timeout: 60_000,
  }, async () => {
    const port = await closedPort();
    const dataDir = path.join(root, 'dead');
    const config = path.join(root, 'dead.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        outage: { firstContactTimeoutMs: 3000, maxProbeDelayMs: 500 },
        retries: { baseDelayMs: 50, maxDelayMs: 200 },
      }),
    );
    const users = ['alice_dev', 'bob_dev', 'carol_dev'];
    const args = ['run', '--base-url', `http://127.0.0.1:${port}`, '--data-dir', dataDir, '--config', config];
    const run = await cli([...args, '--driver', 'http', ...users], root);
    expect(run.code, run.output).toBe(6);
    const errors = errorLines(run.output);
    expect(errors, run.output).toHaveLength(1);
    expect(errors[0]).toContain(`could not reach http://127.0.0.1:${port}/`);
    expect(errors[0]).toContain('--base-url');

    const state = await openStateStore(path.join(dataDir, 'state.sqlite'));
    try {
      expect(await state.counts()).toMatchObject({ pending: users.length, leased: 0, failed: 0, done: 0 });
    } finally {
      await state.close();
    }
  });
});
