/** A promise queue: runs one task at a time, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The queue must survive a failed task, so the tail swallows its error (the caller still sees it).
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const shared = new WeakMap<object, Mutex>();

/** One mutex per underlying store object, so two store instances on one Keyv serialize together. */
export function mutexFor(key: object): Mutex {
  let mutex = shared.get(key);
  if (!mutex) {
    mutex = new Mutex();
    shared.set(key, mutex);
  }
  return mutex;
}
