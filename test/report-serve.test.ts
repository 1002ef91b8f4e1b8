import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, type ServedReport, serveReport } from '../src/report/index.js';

let work: string;
let served: ServedReport;

/** Raw GET so the path is sent exactly as written (fetch would normalise `..`). */
function get(rawPath: string): Promise<{ status: number; body: string; csp?: string }> {
  const url = new URL(served.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          csp: res.headers['content-security-policy'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'report-serve-'));
  mkdirSync(path.join(work, 'report', 'users'), { recursive: true });
  writeFileSync(path.join(work, 'report', 'index.html'), '<p>overview</p>');
  writeFileSync(path.join(work, 'report', 'users', 'a-0123456789.html'), '<p>user a</p>');
  writeFileSync(path.join(work, 'secret.html'), 'secret');
  writeFileSync(path.join(work, 'report', 'notes.txt'), 'not a report file type');
  served = await serveReport({ dir: path.join(work, 'report') });
});

afterAll(async () => {
  await served?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('serveReport', () => {
  it('serves the report with its Content-Security-Policy, on loopback', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toBe('<p>overview</p>');
    expect(index.csp).toBe(CONTENT_SECURITY_POLICY);
    expect((await get('/users/a-0123456789.html')).body).toBe('<p>user a</p>');
  });

  it('refuses paths outside the report and unknown file types', async () => {
    for (const p of [
      '/../secret.html',
      '/users/../../secret.html',
      '/%2e%2e/secret.html',
      '/..%2fsecret.html',
    ]) {
      const res = await get(p);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('secret');
    }
    expect((await get('/notes.txt')).status).toBe(404);
    expect((await get('/missing.html')).status).toBe(404);
  });
});
