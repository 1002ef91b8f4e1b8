import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, NetworkError, ParseError, TimeoutError } from '../src/core/errors.js';
import { createHttpClient, type NodeHttpClient } from '../src/drivers/http.js';

let server: http.Server;
let base: string;
const seenCookies: (string | undefined)[] = [];
const timers = new Set<ReturnType<typeof setInterval>>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/plain') {
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'set-cookie': ['sid=abc123; Path=/'],
      });
      res.end('你好 plain');
    } else if (path === '/gzip') {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      res.end(zlib.gzipSync(JSON.stringify({ ok: true, text: 'gzip 内容' })));
    } else if (path === '/br') {
      res.writeHead(200, { 'content-encoding': 'br' });
      res.end(zlib.brotliCompressSync('brotli body'));
    } else if (path === '/cookies') {
      seenCookies.push(req.headers.cookie);
      res.end('ok');
    } else if (path === '/drip') {
      // Headers at once, then one byte every 100 ms forever: only a whole-exchange deadline ends it.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 100);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
    } else if (path === '/silent') {
      // Never answers.
    } else if (path === '/reset') {
      res.writeHead(200, { 'content-length': '100000' });
      res.write('partial body');
      setTimeout(() => req.socket.destroy(), 50);
    } else if (path === '/big') {
      res.writeHead(200);
      res.end(Buffer.alloc(3000, 'a'));
    } else if (path === '/redirect') {
      res.writeHead(302, { location: '/plain' });
      res.end();
    } else if (path === '/gbk') {
      res.writeHead(200, { 'content-type': 'text/html; charset=gbk' });
      res.end(Buffer.from([0xc4, 0xe3, 0xba, 0xc3]));
    } else {
      res.writeHead(404);
      res.end('nope');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const timer of timers) clearInterval(timer);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(options: Parameters<typeof createHttpClient>[0] = {}): NodeHttpClient {
  return createHttpClient({ defaultTimeoutMs: 5000, ...options });
}

describe('createHttpClient', () => {
  it('returns status, headers and a UTF-8 body, without Set-Cookie in the headers', async () => {
    const c = client();
    const response = await c.get(`${base}/plain`);
    expect(response.status).toBe(200);
    expect(response.body).toBe('你好 plain');
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.headers['set-cookie']).toBeUndefined();
    c.close();
  });

  it('resolves with 404 rather than rejecting', async () => {
    const c = client();
    const response = await c.get(`${base}/missing`);
    expect(response.status).toBe(404);
    expect(response.body).toBe('nope');
    c.close();
  });

  it('decodes gzip and brotli bodies', async () => {
    const c = client();
    expect(JSON.parse((await c.get(`${base}/gzip`)).body)).toEqual({ ok: true, text: 'gzip 内容' });
    expect((await c.get(`${base}/br`)).body).toBe('brotli body');
    c.close();
  });

  it('decodes a declared legacy charset', async () => {
    const c = client();
    expect((await c.get(`${base}/gbk`)).body).toBe('你好');
    c.close();
  });

  it('follows redirects and reports the final URL', async () => {
    const c = client();
    const response = await c.get(`${base}/redirect`);
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${base}/plain`);
    c.close();
  });

  it('ends a dripping body in TimeoutError at the deadline', async () => {
    const c = client();
    const error = await c.get(`${base}/drip`, { timeoutMs: 600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    c.close();
  });

  it('ends a never-answering server in TimeoutError', async () => {
    const c = client({ defaultTimeoutMs: 400 });
    const error = await c.get(`${base}/silent`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    c.close();
  });

  it('turns a connection reset mid-body into NetworkError', async () => {
    const c = client();
    const error = await c.get(`${base}/reset`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    c.close();
  });

  it('turns connection refused into NetworkError', async () => {
    const c = client();
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await c.get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    c.close();
  });

  it('rejects with AbortedError when the signal aborts', async () => {
    const c = client();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await c.get(`${base}/silent`, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    const already = await c.get(`${base}/plain`, { signal: controller.signal }).catch((e: unknown) => e);
    expect(already).toBeInstanceOf(AbortedError);
    c.close();
  });

  it('caps the body size with ParseError', async () => {
    const c = client({ maxBodyBytes: 1000 });
    const error = await c.get(`${base}/big`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    c.close();
  });

  it('sends cookies per host: set, from Set-Cookie, cleared', async () => {
    const c = client();
    seenCookies.length = 0;
    await c.get(`${base}/cookies`);
    c.setCookies('127.0.0.1', [{ name: 'acw_sc__v2', value: 'token1' }]);
    await c.get(`${base}/cookies`);
    await c.get(`${base}/plain`); // sets sid
    await c.get(`${base}/cookies`);
    c.setCookies('other.example', [{ name: 'x', value: 'y' }]);
    c.clearCookies('127.0.0.1');
    await c.get(`${base}/cookies`);
    expect(seenCookies[0]).toBeUndefined();
    expect(seenCookies[1]).toBe('acw_sc__v2=token1');
    expect(seenCookies[2]).toBe('acw_sc__v2=token1; sid=abc123');
    expect(seenCookies[3]).toBeUndefined();
    expect(c.cookieNames()).toEqual({ 'other.example': ['x'] });
    c.close();
  });

  it('reuses keep-alive sockets across requests', async () => {
    const c = client();
    const ports = new Set<number>();
    const onConnection = (socket: import('node:net').Socket) => ports.add(socket.remotePort ?? 0);
    server.on('connection', onConnection);
    for (let i = 0; i < 5; i++) await c.get(`${base}/plain`);
    server.off('connection', onConnection);
    expect(ports.size).toBe(1);
    expect(c.stats().requests).toBe(5);
    c.close();
  });
});
