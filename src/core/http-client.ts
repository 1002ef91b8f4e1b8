/** The HTTP client an adapter gets from its context. Implementation: src/drivers/http. */

export interface HttpRequestOptions {
  headers?: Record<string, string>;
  /** Deadline for the whole exchange, body included. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  /**
   * GET a URL. Resolves with any status (the adapter decides what a 404 page means); rejects
   * with NetworkError, TimeoutError or AbortedError when no complete response arrived.
   */
  get(url: string, options?: HttpRequestOptions): Promise<HttpResponse>;
  /** Cookies sent with every request to the given host, e.g. those a browser earned at a challenge. */
  setCookies(host: string, cookies: { name: string; value: string }[]): void;
  clearCookies(host: string): void;
}
