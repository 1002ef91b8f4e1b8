/**
 * A small per-host cookie jar: enough for the challenge cookies a browser earns and the session
 * cookies a site sets. Values are never logged; `describe()` gives names only.
 */

interface StoredCookie {
  value: string;
  /** Epoch ms; undefined for session cookies. */
  expiresAt?: number;
}

export class CookieJar {
  private readonly hosts = new Map<string, Map<string, StoredCookie>>();

  set(host: string, cookies: readonly { name: string; value: string }[]): void {
    const jar = this.jarFor(normalizeHost(host));
    for (const cookie of cookies) {
      if (!isToken(cookie.name)) continue;
      jar.set(cookie.name, { value: sanitizeValue(cookie.value) });
    }
  }

  clear(host: string): void {
    this.hosts.delete(normalizeHost(host));
  }

  /** Store the Set-Cookie headers of a response from `host`. */
  storeSetCookie(host: string, headers: readonly string[], now = Date.now()): void {
    for (const header of headers) {
      const parsed = parseSetCookie(header, now);
      if (!parsed) continue;
      const target = parsed.domain && domainMatches(host, parsed.domain) ? parsed.domain : host;
      const jar = this.jarFor(normalizeHost(target));
      if (parsed.expiresAt !== undefined && parsed.expiresAt <= now) jar.delete(parsed.name);
      else jar.set(parsed.name, { value: parsed.value, expiresAt: parsed.expiresAt });
    }
  }

  /** The Cookie header for a request to `host`, including cookies set for its parent domains. */
  header(host: string, now = Date.now()): string | undefined {
    const parts: string[] = [];
    const seen = new Set<string>();
    for (const candidate of hostAndParents(normalizeHost(host))) {
      const jar = this.hosts.get(candidate);
      if (!jar) continue;
      for (const [name, cookie] of jar) {
        if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) {
          jar.delete(name);
          continue;
        }
        if (seen.has(name)) continue;
        seen.add(name);
        parts.push(`${name}=${cookie.value}`);
      }
    }
    return parts.length > 0 ? parts.join('; ') : undefined;
  }

  /** Cookie names per host, for diagnostics (never the values). */
  describe(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [host, jar] of this.hosts) out[host] = [...jar.keys()];
    return out;
  }

  private jarFor(host: string): Map<string, StoredCookie> {
    let jar = this.hosts.get(host);
    if (!jar) {
      jar = new Map();
      this.hosts.set(host, jar);
    }
    return jar;
  }
}

function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\./, '').replace(/:\d+$/, '');
}

function hostAndParents(host: string): string[] {
  const labels = host.split('.');
  const out = [host];
  // Parent domains down to two labels (never a bare TLD); IP addresses have no parents.
  if (/^[\d.]+$/.test(host)) return out;
  for (let i = 1; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out;
}

function domainMatches(host: string, domain: string): boolean {
  const h = normalizeHost(host);
  const d = normalizeHost(domain);
  if (!d.includes('.')) return false;
  return h === d || h.endsWith(`.${d}`);
}

function isToken(name: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name);
}

function sanitizeValue(value: string): string {
  // A value with CR/LF or ';' would let one cookie smuggle another into the header.
  return value.replace(/[\r\n;]/g, '');
}

export function parseSetCookie(
  header: string,
  now = Date.now(),
): { name: string; value: string; domain?: string; expiresAt?: number } | undefined {
  const [pair, ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  if (!isToken(name)) return undefined;
  const value = sanitizeValue(pair.slice(eq + 1).trim());
  let domain: string | undefined;
  let expiresAt: number | undefined;
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i < 0 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : attribute.slice(i + 1).trim();
    if (key === 'domain' && val) domain = val;
    else if (key === 'max-age') {
      const seconds = Number(val);
      if (Number.isFinite(seconds)) {
        expiresAt = now + seconds * 1000;
        maxAgeSeen = true;
      }
    } else if (key === 'expires' && !maxAgeSeen) {
      const t = Date.parse(val);
      if (Number.isFinite(t)) expiresAt = t;
    }
  }
  return { name, value, domain, expiresAt };
}
