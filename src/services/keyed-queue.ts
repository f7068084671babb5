/**
 * Runs tasks one at a time per key, in arrival order; tasks of different keys run concurrently.
 *
 * Changes to one case queue here before they take a pooled connection. Without it, a burst of
 * requests on one case would each hold a connection while waiting for the case's row lock, so a
 * single busy case could take every connection from the rest of the service (and the requests
 * queued behind them would time out). The row lock still orders changes across instances.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests). */
  get size(): number {
    return this.tails.size;
  }
}
