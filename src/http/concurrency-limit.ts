import { DomainError } from '../domain/errors';

/**
 * At most `max` calls in flight per key (a principal id): the expensive reads (subject search,
 * reports) of one identity cannot take every database connection and CPU from the others. A
 * call over the limit is refused at once (429) rather than queued, since a queue would still let
 * one caller fill the server's memory and the others' latency. In-process: the limit holds per
 * instance, so N instances allow N × max.
 */
export class ConcurrencyLimit {
  private readonly inFlight = new Map<string, number>();

  constructor(
    readonly max: number,
    private readonly retryAfterSeconds = 1,
  ) {}

  /** Runs `fn` counted against `key`, or throws rate-limited (429) when `key` is at the limit. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const n = this.inFlight.get(key) ?? 0;
    if (n >= this.max) {
      throw new DomainError(
        'rate-limited',
        `At most ${this.max} expensive requests (search, reports) in flight per caller; retry when one has finished.`,
        {
          limit: this.max,
          retryAfterSeconds: this.retryAfterSeconds,
        },
      );
    }
    this.inFlight.set(key, n + 1);
    try {
      return await fn();
    } finally {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, left);
    }
  }

  /** Calls of `key` in flight now. */
  count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}
