import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { type Replica, startReplica } from '../src/testing/replica/index.js';
import { startCli } from './helpers/cli-process.js';
import { diffAgainstTruth } from './helpers/compare-truth.js';

/**
 * A base URL that does not lead to CSDN (a plain 404 server, a proxy that mounts the site
 * under a path prefix) fails the users with a reason naming the base URL; it never marks them
 * "not found" for good. `retry` and `retry --notfound` put them back once the URL is right.
 */
const root = mkdtempSync(path.join(tmpdir(), 'csdn-wrong-site-'));
let replica: Replica;
let plain: http.Server;
let plainUrl: string;
let other: http.Server;
let otherUrl: string;
let proxy: http.Server;
let proxyUrl: string;
let empty: http.Server;
let emptyUrl: string;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/** What `python3 -m http.server` or a misrouted proxy answers for every path. */
function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end('<html><head><title>Error response</title></head><body><h1>Not Found</h1></body></html>');
}

beforeAll(async () => {
  replica = await startReplica({ users: 10, seed: 21 });
  plain = http.createServer((_req, res) => notFound(res));
  plainUrl = await listen(plain);
  // another web site: HTTP 200 and the same page for every path
  other = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<html><head><title>Welcome</title></head><body><p>It works!</p></body></html>');
  });
  otherUrl = await listen(other);
  // the replica mounted under /csdn, as behind a reverse proxy; anything else is a plain 404
  proxy = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith('/csdn/')) {
      notFound(res);
      return;
    }
    const upstream = http.get(`${replica.url}${url.slice('/csdn'.length)}`, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
  });
  proxyUrl = await listen(proxy);
  // a CSDN that knows nobody (an empty mirror): the site's own 404 page for every path
  empty = http.createServer((_req, res) => {
    const upstream = http.get(`${replica.url}/${replica.missingUsernames[1]}`, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
  });
  emptyUrl = await listen(empty);
});

afterAll(async () => {
  await new Promise((r) => plain?.close(r));
  await new Promise((r) => proxy?.close(r));
  await new Promise((r) => other?.close(r));
  await new Promise((r) => empty?.close(r));
  await replica?.close();
  rmSync(root, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const run = startCli(args);
  const { code } = await run.exit;
  return { code, output: run.output() };
}

async function counts(dataDir: string) {
  const state = await openStateStore(path.join(dataDir, 'state.sqlite'));
  try {
    return await state.counts();
  } finally {
    await state.close();
  }
}

describe('a base URL that is not CSDN', () => {
  it('a plain 404 server: users failed with a reason naming the base URL, exit 5, none not found', {
    timeout: 60_000,
  }, async () => {
    const dataDir = path.join(root, 'plain');
    const users = replica.usernames.slice(0, 3);
    const { code, output } = await cli(['run', ...users, '--base-url', plainUrl, '--data-dir', dataDir]);
    expect(code).toBe(5);
    expect(output).toContain(
      `${plainUrl}: answered HTTP 404 with a page that is not CSDN's 404 page; is --base-url right?`,
    );
    expect(output).toMatch(/finished: 0 done, 0 not found, 3 failed/);
    expect(await counts(dataDir)).toMatchObject({ failed: 3, notfound: 0, done: 0 });
    const status = await cli(['status', '--data-dir', dataDir]);
    expect(status.output).toContain(`failed ${users[0]}: ${plainUrl}: answered HTTP 404`);
  });

  it('another web site answering 200 everywhere: failed after its retries, naming the base URL', {
    timeout: 60_000,
  }, async () => {
    const dataDir = path.join(root, 'other');
    const user = replica.usernames[0];
    const { code, output } = await cli(['run', user, '--base-url', otherUrl, '--data-dir', dataDir]);
    expect(code).toBe(5);
    expect(output).toContain(
      `${otherUrl}: answered HTTP 200 with a page that is neither a CSDN profile nor CSDN's 404 page; is --base-url right?`,
    );
    expect(await counts(dataDir)).toMatchObject({ failed: 1, notfound: 0, done: 0 });
  });

  it('a proxy that mounts the site under a path: failed first, the path refused, then `retry` and the right URL crawl them exactly', {
    timeout: 90_000,
  }, async () => {
    const dataDir = path.join(root, 'prefix');
    const users = replica.usernames.slice(0, 4);
    const wrong = await cli(['run', ...users, '--base-url', proxyUrl, '--data-dir', dataDir]);
    expect(wrong.code).toBe(5);
    expect(wrong.output).toContain(`${proxyUrl}: answered HTTP 404`);
    expect(await counts(dataDir)).toMatchObject({ failed: 4, notfound: 0 });

    const retry = await cli(['retry', '--data-dir', dataDir]);
    expect(retry.code).toBe(0);
    expect(retry.output).toContain('moved 4 failed IDs back to pending');
    // the CSDN adapter takes an origin only: a path prefix is refused before any request
    const prefixed = await cli(['run', '--base-url', `${proxyUrl}/csdn`, '--data-dir', dataDir]);
    expect(prefixed.code).toBe(2);
    expect(prefixed.output).not.toMatch(/\n\s+at /);
    expect(await counts(dataDir)).toMatchObject({ pending: 4, done: 0 });
    const right = await cli(['run', '--base-url', replica.url, '--data-dir', dataDir]);
    expect(right.code).toBe(0);
    expect(await counts(dataDir)).toMatchObject({ done: 4, failed: 0, notfound: 0, pending: 0 });
    const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
    try {
      for (const u of users) expect(await diffAgainstTruth(results, u, replica.truth(u)!)).toEqual([]);
    } finally {
      await results.close();
    }
  });

  it('`retry --notfound` re-queues users judged not found (a site answering its own 404 page for everyone)', {
    timeout: 90_000,
  }, async () => {
    const dataDir = path.join(root, 'notfound');
    const users = replica.usernames.slice(4, 7);
    const missing = replica.missingUsernames[0];
    // the site's own 404 page for everyone: "not found" is all a crawler can say
    const wrong = await cli(['run', ...users, missing, '--base-url', emptyUrl, '--data-dir', dataDir]);
    expect(wrong.code).toBe(0);
    expect(await counts(dataDir)).toMatchObject({ notfound: 4, done: 0 });

    const plainRetry = await cli(['retry', '--data-dir', dataDir]);
    expect(plainRetry.output).toContain('moved 0 failed IDs back to pending');
    const retry = await cli(['retry', '--notfound', '--data-dir', dataDir]);
    expect(retry.code).toBe(0);
    expect(retry.output).toContain('moved 4 not-found IDs back to pending');
    expect(await counts(dataDir)).toMatchObject({ pending: 4, notfound: 0 });

    const right = await cli(['run', '--base-url', replica.url, '--data-dir', dataDir]);
    expect(right.code).toBe(0);
    expect(await counts(dataDir)).toMatchObject({ done: 3, notfound: 1, pending: 0, failed: 0 });
    const results = await openResultStore(path.join(dataDir, 'results.sqlite'));
    try {
      for (const u of users) expect(await diffAgainstTruth(results, u, replica.truth(u)!)).toEqual([]);
      expect((await results.getUser(missing))?.status).toBe('notfound');
    } finally {
      await results.close();
    }
  });
});
