/**
 * The source of "now". Domain functions take instants as arguments; services ask a Clock so
 * tests (and timer jobs) can pin or move time without faking globals.
 */
export interface Clock {
  now(): Date;
}

/**
 * The real wall clock. The only place outside the edge allowed to read the system time, which
 * is why domain functions take a `now` argument instead of calling this.
 */
export const systemClock: Clock = Object.freeze({
  now: (): Date => new Date(),
});

/** A clock that only moves when told to, for tests and replays. */
export class FixedClock implements Clock {
  private current: number;

  /**
   * @param initial the instant the clock starts at (Date, epoch milliseconds or an ISO string
   *   with an offset)
   * @throws RangeError when `initial` is not a valid instant
   */
  constructor(initial: Date | number | string) {
    this.current = FixedClock.toMillis(initial);
  }

  /** The current instant; a fresh Date each call so callers cannot move the clock by mutating it. */
  now(): Date {
    return new Date(this.current);
  }

  /**
   * Moves the clock to `date` (backwards is allowed, to test clock skew).
   * @throws RangeError when `date` is not a valid instant
   */
  set(date: Date | number | string): void {
    this.current = FixedClock.toMillis(date);
  }

  /**
   * Moves the clock by `ms` milliseconds (negative moves it back).
   * @throws RangeError when `ms` is not finite
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`advance needs a finite number of ms, got ${ms}`);
    this.current += ms;
  }

  private static toMillis(value: Date | number | string): number {
    const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
    if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(value)}`);
    return ms;
  }
}
