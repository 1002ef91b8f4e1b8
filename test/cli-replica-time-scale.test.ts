import { describe, expect, it } from 'vitest';
import { errorLines, runCli, startCli, waitFor } from './helpers/cli-process.js';

describe('csdn-crawl replica --time-scale', () => {
  it('refuses a time scale that is not a positive number in one line, exit 2', async () => {
    const { code, output } = await runCli(['replica', '--port', '0', '--users', '5', '--time-scale', 'fast']);
    expect(code).toBe(2);
    const lines = errorLines(output);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--time-scale must be a positive number');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('serves a living replica and says so, then stops on one signal', async () => {
    const run = startCli(['replica', '--port', '0', '--users', '5', '--time-scale', '86400']);
    try {
      await waitFor(
        () => /serving 5 users at http:\/\/\S+ \(living, time scale 86400,/.test(run.output()),
        15_000,
        'the banner',
      );
      const url = /at (http:\/\/\S+)/.exec(run.output())?.[1] as string;
      const user = /try http:\/\/\S+\/(\S+) ;/.exec(run.output())?.[1] as string;
      const res = await fetch(`${url}/${user}`);
      expect(res.status).toBe(200);
      await res.text();
      run.child.kill('SIGINT');
      expect((await run.exit).code).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });
});
