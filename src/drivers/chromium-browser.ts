import type { Browser, BrowserPage, Deadline } from '../core/browser-driver.js';
import { isAlive, killTree, type SpawnedProcess } from './chromium-process.js';
import { removeProfileDir } from './chromium-profile.js';

/**
 * What a browser started by the launch template shares whichever library drives it: the process
 * tree we spawned (its pid, a kill of the whole tree), the profile removed when it goes, and a
 * close that asks the library to quit first. A driver adds newPage, how its library quits and
 * how it tells that its connection is still up.
 */
export abstract class ChromiumBrowser implements Browser {
  private closing?: Promise<void>;
  private killed = false;

  constructor(
    protected readonly proc: SpawnedProcess,
    private readonly profile: string,
  ) {}

  /** The spawned process's pid: its process group holds the whole browser. */
  get pid(): number {
    return this.proc.pid;
  }

  abstract get raw(): unknown;

  abstract newPage(deadline: Deadline): Promise<BrowserPage>;

  /** Asked only while connected; may hang on a wedged browser (close() is raced with kill()). */
  protected abstract quit(): Promise<void>;

  /** The library's own view of the browser (its connection, a process it watches). */
  protected abstract libraryConnected(): boolean;

  /** Drop the library's side after the process tree is gone; never throws. */
  protected async disconnect(): Promise<void> {}

  isConnected(): boolean {
    return !this.killed && !this.proc.hasExited() && isAlive(this.proc.pid) && this.libraryConnected();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.isConnected()) await this.quit();
      await this.cleanUp();
    })();
    return this.closing;
  }

  async kill(): Promise<void> {
    this.killed = true;
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    await killTree(this.proc.pid, this.proc.tag);
    await this.disconnect();
    await removeProfileDir(this.profile);
  }
}
