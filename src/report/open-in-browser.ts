import { spawn } from 'node:child_process';

/** Opens a file or URL with the desktop's default handler; never through a shell. */
export function openInBrowser(target: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [target]]
      : process.platform === 'win32'
        ? ['explorer.exe', [target]]
        : ['xdg-open', [target]];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => {}); // no desktop (a Pi over SSH): the caller already printed the path
  child.unref();
}
