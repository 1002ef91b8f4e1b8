import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { closedPort, errorLines, runCli, startCli, waitFor } from './helpers/cli-process.js';

describe('csdn-crawl run --metrics', () => {
  let replica: Replica;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'csdn-cli-metrics-'));

  beforeAll(async () => {
    replica = await startReplica({ users: 5, seed: 3, faults: 'none', maxArticlesPerUser: 40 });
  });
  afterAll(async () => {
    await replica.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a port in use is one error line and exit 2, before anything is crawled', {
    timeout: 30_000,
  }, async () => {
    const busy = net.createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as net.AddressInfo;
    try {
      const base = `http://127.0.0.1:${await closedPort()}`;
      const dir = path.join(dataDir, 'busy');
      const { code, output } = await runCli(
        [
          'run',
          'someone',
          '--metrics',
          String(port),
          '--base-url',
          base,
          '--data-dir',
          dir,
          '--driver',
          'http',
        ],
        dataDir,
      );
      expect(code).toBe(2);
      expect(output.trim().split('\n')).toHaveLength(1);
      expect(errorLines(output)).toEqual([
        expect.stringContaining(`metrics port ${port} on 127.0.0.1 is already in use`),
      ]);
    } finally {
      busy.close();
    }
  });

  it('serves while crawling and exits by itself at the end: nothing keeps the process alive', {
    timeout: 60_000,
  }, async () => {
    const dir = path.join(dataDir, 'run');
    const run = startCli(
      [
        'run',
        ...replica.usernames,
        '--metrics',
        '0',
        '--base-url',
        replica.url,
        '--data-dir',
        dir,
        '--driver',
        'http',
      ],
      { cwd: dataDir },
    );
    const address = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/;
    await waitFor(() => address.test(run.output()), 20_000, 'the metrics address');
    // The server listens before the stores open: the store's figures appear once they are.
    let scraped = '';
    await waitFor(
      async () => {
        scraped = await fetch(address.exec(run.output())![1]).then((r) => r.text());
        return scraped.includes('csdn_crawl_ids{set="pending"}');
      },
      20_000,
      'the state store figures in a scrape',
    );
    expect(scraped).toContain('process_resident_memory_bytes');
    const { code } = await run.exit;
    const output = run.output();
    expect(code, output).toBe(0);
    expect(output).toContain(`finished: ${replica.usernames.length} done`);

    // Without a crawler running, status --json carries the figures that still mean something.
    const status = await runCli(['status', '--json', '--data-dir', dir], dataDir);
    expect(status.code).toBe(0);
    const figures = JSON.parse(status.output);
    expect(figures.counts.done).toBe(replica.usernames.length);
    expect(figures).toHaveProperty('due');
    if (figures.due !== null) expect(typeof figures.due.dueNow).toBe('number');
    expect(figures.lastRun).toMatchObject({ done: replica.usernames.length, failed: 0 });
    expect(figures.lastRun.requests).toBeGreaterThan(0);
    expect(Array.isArray(figures.workers)).toBe(true);
  });
});
