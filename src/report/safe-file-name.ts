import { createHash } from 'node:crypto';

/**
 * A file name for a user's page. The username is untrusted, so the name is built only from a
 * whitelist of characters plus a hash of the exact username: no separators, no dots, no
 * reserved names, and two usernames that sanitise alike (or differ only in case, on a
 * case-insensitive file system) still get different files.
 */
export function safeUserFileName(username: string): string {
  const readable = username
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(username, 'utf8').digest('hex').slice(0, 10);
  return `${readable || 'user'}-${hash}.html`;
}
