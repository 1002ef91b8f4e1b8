import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../src/cli/index.js';
import { startCli } from './helpers/cli-process.js';

const root = mkdtempSync(path.join(tmpdir(), 'csdn-cli-'));

async function cli(args: string[], cwd = root) {
  const run = startCli(args, { cwd });
  const { code } = await run.exit;
  return { code, output: run.output() };
}

describe('CLI parsing (no process)', () => {
  it('maps flags of run to camelCase options', () => {
    const { cli: parser } = buildCli(
      () => {},
      () => {},
    );
    const parsed = parser.parse(
      [
        'node',
        'csdn-crawl',
        'run',
        'a',
        'b',
        '--concurrency',
        '3',
        '--base-url',
        'http://x',
        '--ids-file',
        'f.txt',
      ],
      {
        run: false,
      },
    );
    expect(parsed.args).toEqual(['a', 'b']);
    expect(parsed.options).toMatchObject({ concurrency: 3, baseUrl: 'http://x', idsFile: 'f.txt' });
    expect(parser.matchedCommandName).toBe('run');
  });
});

describe('CLI errors are one line with the fix, and the right exit code', () => {
  it('unknown config key: exit 2, names key and file', async () => {
    const dir = path.join(root, 'cfg');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'csdn-crawl.config.json'), JSON.stringify({ concurency: 2 }));
    const { code, output } = await cli(['status', '--data-dir', path.join(dir, 'data')], dir);
    expect(code).toBe(2);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(
      /unknown config key "concurency" in csdn-crawl\.config\.json \(did you mean "concurrency"\?\)/,
    );
  });

  it('a wrong type from the environment: exit 2', async () => {
    const run = startCli(['status', '--data-dir', path.join(root, 'env')], {
      env: { CSDN_CRAWL_CONCURRENCY: 'lots' },
    });
    expect((await run.exit).code).toBe(2);
    expect(run.output()).toMatch(/config key "concurrency" in environment must be number, got string/);
  });

  it('a corrupt state file: exit 3, named, never overwritten', async () => {
    const dir = path.join(root, 'corrupt');
    mkdirSync(dir);
    const file = path.join(dir, 'state.sqlite');
    const garbage = 'this is not a database\n'.repeat(100);
    writeFileSync(file, garbage);
    const { code, output } = await cli(['run', '--data-dir', dir, '--driver', 'http', 'someone']);
    expect(code).toBe(3);
    expect(output).toContain(file);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe(garbage);
  });

  it('an unwritable data directory: exit 3, named', async () => {
    const parent = path.join(root, 'ro');
    mkdirSync(parent);
    writeFileSync(path.join(parent, 'file'), 'x');
    // A path below a regular file cannot be created, even as root.
    const { code, output } = await cli(['add', 'someone', '--data-dir', path.join(parent, 'file', 'data')]);
    expect(code).toBe(3);
    expect(output).toMatch(/data directory .*file\/data is not writable/);
    // status only reads: it names the path it cannot read.
    const status = await cli(['status', '--data-dir', path.join(parent, 'file', 'data')]);
    expect(status.code).toBe(3);
    expect(status.output).toMatch(/cannot read the state store .*file\/data\/state\.sqlite \(ENOTDIR\)/);
    expect(status.output.trim().split('\n')).toHaveLength(1);
    chmodSync(parent, 0o755);
  });

  it('an unreachable Redis: exit 3, password not shown', async () => {
    const { code, output } = await cli(['status', '--store', 'redis://user:s3cret@127.0.0.1:1/0']);
    expect(code).toBe(3);
    expect(output).not.toContain('s3cret');
    expect(output.trim().split('\n')).toHaveLength(1);
  });

  it('only invalid IDs: exit 2', async () => {
    const { code, output } = await cli([
      'run',
      '--data-dir',
      path.join(root, 'inv'),
      '--driver',
      'http',
      '../etc/passwd',
    ]);
    expect(code).toBe(2);
    expect(output).toMatch(/none of the 1 IDs given is valid/);
  });

  it('unknown flag and unknown command: exit 2', async () => {
    expect((await cli(['run', '--concurency', '3'])).code).toBe(2);
    expect((await cli(['crawl'])).code).toBe(2);
  });

  it('promote needs a positive number', async () => {
    const { code, output } = await cli(['promote', 'ten', '--data-dir', path.join(root, 'p')]);
    expect(code).toBe(2);
    expect(output).toMatch(/promote needs a positive whole number/);
  });
});
