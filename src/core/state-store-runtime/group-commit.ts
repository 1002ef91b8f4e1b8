import type { Completion } from './backend.js';

interface Waiting extends Completion {
  resolve(done: boolean): void;
  reject(error: unknown): void;
}

/**
 * Group commit: completions that arrive while a write is being prepared travel in that write. With
 * a worker pool finishing users in parallel, one transaction (one Lua script) carries many IDs.
 * `write` is the backend's `complete`, wrapped by the runtime; it calls `take` when it is ready.
 */
export class GroupCommit {
  private readonly queue: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly write: (take: () => readonly Completion[]) => Promise<boolean[]>,
    private readonly maxBatch: number,
  ) {}

  push(completion: Completion): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ ...completion, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // Called at once, not in a later tick: a backend behind a lock queues now, before a close().
      this.flush();
    });
  }

  private flush(): void {
    let batch: Waiting[] = [];
    const take = (): readonly Completion[] => {
      this.scheduled = false;
      batch = this.queue.splice(0, this.maxBatch);
      if (this.queue.length > 0) {
        this.scheduled = true;
        this.flush();
      }
      return batch.map(({ owner, id, outcome, reason, dueAt }) => ({ owner, id, outcome, reason, dueAt }));
    };
    this.write(take).then(
      (results) => {
        batch.forEach((c, i) => {
          c.resolve(results[i] === true);
        });
      },
      (error: unknown) => {
        // A failure before the batch was taken leaves the completions queued: fail them too.
        if (batch.length === 0) {
          batch = this.queue.splice(0);
          this.scheduled = false;
        }
        for (const c of batch) c.reject(error);
      },
    );
  }
}
