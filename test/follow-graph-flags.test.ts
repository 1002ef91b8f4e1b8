import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromFlags } from '../src/cli/config-from-flags.js';
import { InvalidInputError } from '../src/core/errors.js';

// An empty directory: no config file is found, so only defaults and flags count.
const cwd = mkdtempSync(path.join(tmpdir(), 'graph-flags-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('the graph setting', () => {
  it('defaults to both lists, fans capped at 200', async () => {
    expect((await configFromFlags({}, cwd)).graph).toEqual({
      follows: true,
      fans: true,
      maxFollows: 1000,
      maxFans: 200,
    });
  });

  it('--graph picks the lists; none turns the graph off', async () => {
    expect((await configFromFlags({ graph: 'none' }, cwd)).graph).toMatchObject({
      follows: false,
      fans: false,
    });
    expect((await configFromFlags({ graph: 'fans' }, cwd)).graph).toMatchObject({
      follows: false,
      fans: true,
    });
    expect((await configFromFlags({ graph: 'follows, fans' }, cwd)).graph).toMatchObject({
      follows: true,
      fans: true,
      maxFans: 200,
    });
  });

  it('a list name that does not exist is a user mistake naming the flag', async () => {
    for (const bad of ['followers', '', 'none,fans']) {
      await expect(configFromFlags({ graph: bad }, cwd)).rejects.toThrow(InvalidInputError);
    }
    await expect(configFromFlags({ graph: 'x' }, cwd)).rejects.toThrow(/--graph "x"/);
  });
});
