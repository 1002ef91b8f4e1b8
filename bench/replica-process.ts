/**
 * Benches run the replica in a child process of their own, so that the CPU and memory they
 * report are the crawler's: the bench file is forked again with BENCH_ROLE=replica, the child
 * serves and sends what the parent needs to know, and closes when told.
 */
import { fork } from 'node:child_process';

export const isReplicaRole = (): boolean => process.env.BENCH_ROLE === 'replica';

/** In the parent: fork `script` as the replica child and wait for what it sends. */
export async function startReplicaProcess<Info extends object>(
  script: string,
  env: Record<string, string> = {},
): Promise<
  Info & {
    pid: number | undefined;
    send(message: object): void;
    /** Send a message and wait for the child's next message (its answer). */
    ask<Answer>(message: object | string): Promise<Answer>;
    close(): Promise<void>;
  }
> {
  // Under vite-node, argv[1] is vite-node itself: run the script through it again.
  const child = fork(process.argv[1], [script], {
    env: { ...process.env, ...env, BENCH_ROLE: 'replica' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const info = await new Promise<Info>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Info));
    child.once('exit', (code) => reject(new Error(`replica process exited with ${code}`)));
  });
  return {
    ...info,
    pid: child.pid,
    send: (message) => child.send(message),
    ask: <Answer>(message: object | string) =>
      new Promise<Answer>((resolve) => {
        child.once('message', (answer) => resolve(answer as Answer));
        child.send(message);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** In the child: hand `info` to the parent, and close the replica when the parent says so. */
export function serveToParent(replica: { close(): Promise<void> }, info: object): void {
  process.send?.(info);
  process.on('message', async (message) => {
    if (message === 'close') {
      await replica.close();
      process.exit(0);
    }
  });
}
