import { type HTMLElement, parse } from 'node-html-parser';

/**
 * Reading a page by its own structure. Everything a crawled page shows (a nickname, a title, a
 * description) may contain any marker string, escaped in HTML text and as string literals in
 * scripts. So markers are looked for only where the page itself puts them: in elements, in
 * attributes of the page's own tags, and in the CODE of its inline scripts, with every string
 * literal and comment blanked out first.
 */
export type PageRoot = HTMLElement;

export function parsePage(html: string): PageRoot {
  return parse(html);
}

/** The texts of the page's inline scripts (no `src`, JavaScript or no type), in page order. */
export function inlineScripts(root: PageRoot): string[] {
  const out: string[] = [];
  for (const el of root.querySelectorAll('script')) {
    if (el.hasAttribute('src')) continue;
    const type = (el.getAttribute('type') ?? '').trim().toLowerCase();
    if (type !== '' && !/javascript|ecmascript|^module$/.test(type)) continue;
    out.push(el.rawText);
  }
  return out;
}

/**
 * The script with the contents of string literals, template literals and comments replaced by
 * spaces (quotes kept, length kept), so a search on it finds only what the code itself says.
 * Regex literals are not recognised (the site's globals are plain assignments).
 */
export function maskScript(code: string): string {
  const out = code.split('');
  let i = 0;
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < code.length) {
    const c = code[i];
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      const end = code.indexOf('\n', i);
      const stop = end === -1 ? code.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      const stop = end === -1 ? code.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      const end = literalEnd(code, i);
      blank(i + 1, end - 1);
      i = end;
    } else {
      i++;
    }
  }
  return out.join('');
}

/** Index just past the string literal that opens at `start`. */
function literalEnd(code: string, start: number): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    const c = code[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
    else if (c === '\n' && quote !== '`') return i;
  }
  return code.length;
}

/** One script, read once: the code and its masked twin. */
export interface OwnScript {
  code: string;
  masked: string;
}

function ownScripts(root: PageRoot): OwnScript[] {
  return inlineScripts(root).map((code) => ({ code, masked: maskScript(code) }));
}

/**
 * Where the code (not a string in it) matches `pattern`: the index just past the match in the
 * first script that has one, with that script.
 */
export function findInCode(
  scripts: OwnScript[],
  pattern: RegExp,
): { script: OwnScript; end: number; start: number } | undefined {
  const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
  for (const script of scripts) {
    const m = re.exec(script.masked);
    if (m) return { script, start: m.index, end: m.index + m[0].length };
  }
  return undefined;
}

/**
 * The value of a global the page's own script sets, `var name = value;` (a string literal
 * decoded, anything else as written up to `;` or the line end). Undefined when no code sets it.
 */
export function ownScriptVar(scripts: OwnScript[], name: string): string | undefined {
  const hit = findInCode(scripts, new RegExp(`(?:^|[;\\s{}(])var\\s+${name}\\s*=\\s*`));
  if (!hit) return undefined;
  const { code, masked } = hit.script;
  const at = hit.end;
  const q = code[at];
  if (q === '"' || q === "'") return decodeLiteral(code.slice(at, literalEnd(code, at)));
  const stop = masked.slice(at).search(/[;\n]/);
  return code.slice(at, stop === -1 ? code.length : at + stop).trim();
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

/** A JavaScript string literal (quotes included) as the string it denotes. */
function decodeLiteral(literal: string): string {
  const quote = literal[0];
  const body = literal.length > 1 && literal.endsWith(quote) ? literal.slice(1, -1) : literal.slice(1);
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (_m, e: string) => {
    if (e.startsWith('u{')) return String.fromCodePoint(Number.parseInt(e.slice(2, -1), 16));
    if (e.length > 1) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? (e === '\n' ? '' : e);
  });
}

/**
 * The object literal assigned by the page's own code at `lhs` (for example
 * `window.__INITIAL_STATE__ =`), read with JSON.parse; undefined when no code assigns one or it
 * is not JSON.
 */
export function ownAssignedObject(scripts: OwnScript[], lhs: string): unknown {
  const hit = findInCode(scripts, new RegExp(`${lhs}\\s*=\\s*(?=\\{)`));
  if (!hit) return undefined;
  const { code } = hit.script;
  const end = objectEnd(code, hit.end);
  if (end === -1) return undefined;
  try {
    return JSON.parse(code.slice(hit.end, end + 1));
  } catch {
    return undefined;
  }
}

/** Index of the `}` closing the `{` at `start`, strings skipped; -1 if none. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = literalEnd(text, i) - 1;
    } else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The page's own `<title>` text, trimmed; undefined when it has none. */
export function pageTitle(root: PageRoot): string | undefined {
  const title = root.querySelector('head title') ?? root.querySelector('title');
  return title ? title.text.trim() : undefined;
}

/** True when the body is a JSON document (an object or an array). */
export function isJsonBody(body: string): boolean {
  const text = body.replace(/^\uFEFF/, '').trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A page parsed once: its element tree and its inline scripts (code and masked code). */
export interface PageView {
  root: PageRoot;
  scripts: OwnScript[];
}

/** Parse the page unless the caller already did. */
export function viewOf(page: string | PageView): PageView {
  if (typeof page !== 'string') return page;
  const root = parsePage(page);
  return { root, scripts: ownScripts(root) };
}
