/** Escaping for text and attribute values: every generated string passes through here. */
export function esc(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that can sit inside a <script> element: `<` and the line separators escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** "146,206". */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** The legacy skin's abbreviated display: "1万+" from 10,000 on. */
export function wan(n: number): string {
  return n >= 10_000 ? `${Math.floor(n / 10_000)}万+` : String(n);
}

export function notFoundPage(): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>404</title></head><body>
<div class="page-404"><h1>404</h1><p>抱歉，您访问的页面不存在。</p></div>
<script>window.__INITIAL_STATE__={"pageData":{"pid":"404","data":{}}};</script>
<script>var trackData = {"pid":"404"};</script>
</body></html>`;
}

export function errorPage(status: number): string {
  const text =
    status === 502
      ? 'Bad Gateway'
      : status === 503
        ? 'Service Temporarily Unavailable'
        : 'Internal Server Error';
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n`;
}
