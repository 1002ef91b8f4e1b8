/**
 * `/metrics` over HTTP for the life of a run. It listens before the crawl starts, so a busy port
 * is a usage error (exit 2) instead of a crawl without its metrics, and it closes with the run,
 * open connections included, so no handle outlives it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../core/errors.js';

export interface MetricsServer {
  /** `http://host:port/metrics`, with the port actually bound (for port 0). */
  readonly url: string;
  close(): Promise<void>;
}

export interface MetricsEndpoint {
  contentType: string;
  text(): Promise<string>;
}

export async function serveMetrics(
  endpoint: MetricsEndpoint,
  address: { host: string; port: number },
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
      return;
    }
    endpoint.text().then(
      (body) => res.writeHead(200, { 'content-type': endpoint.contentType }).end(body),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  // A scraper's keep-alive connection must not hold the process open after the run.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(listenError(error, address)));
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listenError(error: unknown, { host, port }: { host: string; port: number }): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  const hint = 'choose another --metrics port (0 picks a free one) or set metrics.port in the config';
  if (code === 'EADDRINUSE')
    return new InvalidInputError(`metrics port ${port} on ${host} is already in use`, { cause: error, hint });
  if (code === 'EACCES' || code === 'EPERM')
    return new InvalidInputError(`not allowed to serve metrics on ${host}:${port}`, {
      cause: error,
      hint: 'ports below 1024 need privileges: choose 1024 or above',
    });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new InvalidInputError(`cannot serve metrics on ${host}: no such local address`, {
      cause: error,
      hint: 'set metrics.host to 127.0.0.1 or an address of this machine',
    });
  return error;
}
