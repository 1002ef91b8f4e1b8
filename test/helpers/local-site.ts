import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * A hand-written site on 127.0.0.1 for the file's tests: listening before them, closed after.
 * `url` is its base URL (read it inside a test or hook, once the server listens).
 */
export function localSite(handle: http.RequestListener): { readonly url: string } {
  const server = http.createServer(handle);
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    get url() {
      return url;
    },
  };
}
