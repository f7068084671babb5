/**
 * Counts refused bearer tokens per client address in fixed windows. The per-identity rate limit
 * runs after authentication, so without this an address could send invalid tokens without end:
 * guessing, or making the service verify signatures for nothing. Once an address has had `max`
 * refusals in a window, its requests are refused (429) before any verification until the window
 * ends. Bounded: past `maxKeys` addresses the oldest entry goes first.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.max > 0;
  }

  /** Seconds until `key` may try again (0: it may now). */
  retryAfter(key: string): number {
    const w = this.windows.get(key);
    if (!w) return 0;
    const now = this.now();
    if (now >= w.resetAt) {
      this.windows.delete(key);
      return 0;
    }
    return w.count >= this.max ? Math.max(1, Math.ceil((w.resetAt - now) / 1000)) : 0;
  }

  /** Records one refused token from `key`. */
  record(key: string): void {
    if (!this.enabled) return;
    const now = this.now();
    const w = this.windows.get(key);
    if (w && now < w.resetAt) {
      w.count++;
      return;
    }
    if (w) this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.windows.set(key, { count: 1, resetAt: now + this.windowMs });
  }
}
