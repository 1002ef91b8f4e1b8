import { escapeHtml, jsonForScript } from './html-escape.js';

/**
 * Only same-directory scripts and styles may run; no inline script, no eval-free exceptions, no
 * network. Crawled text can therefore never execute even if an escaping bug let markup through.
 * (`'self'` covers file:// pages in Chromium, and http:// when served.)
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'none'",
  "font-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export interface PageShellOptions {
  title: string;
  /** '' for pages in the report's root, '../' for pages one level down. */
  root: string;
  /** Escaped HTML. */
  header: string;
  /** Embedded as JSON for the page script; omitted when undefined. */
  data?: unknown;
  /** Page script file in the report's root, e.g. 'report-overview.js'; none for static pages. */
  script?: string;
}

/** A full page; `body` must already be escaped HTML. */
export function pageShell(o: PageShellOptions & { body: string }): string {
  const [head, tail] = pageParts(o);
  return `${head}${o.body}${tail}`;
}

/** The page before and after its body, for pages streamed to disk row by row. */
export function pageParts(o: PageShellOptions): [string, string] {
  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
<link rel="stylesheet" href="${o.root}report.css">
</head>
<body>
<header>${o.header}</header>
<main>
`;
  const data =
    o.data === undefined
      ? ''
      : `<script type="application/json" id="report-data">${jsonForScript(o.data)}</script>\n`;
  const scripts = o.script
    ? `<script src="${o.root}echarts.min.js"></script>\n<script src="${o.root}${o.script}"></script>\n`
    : '';
  return [head, `\n</main>\n${data}${scripts}</body>\n</html>\n`];
}

export function chartPanel(id: string, title: string, note: string, tall = false): string {
  return `<section class="panel"><h2>${escapeHtml(title)}</h2><p class="note">${escapeHtml(note)}</p><div class="chart${tall ? ' tall' : ''}" id="${id}"></div></section>`;
}

export function fmtNumber(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US');
}
