/**
 * Switches every Chromium we start gets: quiet (no background traffic, no updates, no sync),
 * headless without a GPU, and no QUIC so that every request goes over TCP like the HTTP client's.
 * --no-sandbox because crawls often run as root in containers and on a Pi.
 */
export const BASE_CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumFlags(options: {
  headless?: boolean;
  userDataDir: string;
  args?: string[];
}): string[] {
  const flags = [...BASE_CHROMIUM_FLAGS, `--user-data-dir=${options.userDataDir}`];
  if (options.headless !== false) flags.unshift('--headless=new');
  return [...flags, ...(options.args ?? [])];
}
