/**
 * Bearer tokens verified recently, by their exact text. A client sends the same token with every
 * request until it expires, and checking its signature was the largest CPU item of a read
 * (ES256/RS256 verification through WebCrypto, ≈0.2 ms). An entry lives at most `ttlMs` and
 * never past the token's own `exp`; only successful verifications are kept, and a token that
 * differs in any character (another signature) is a miss. Bounded: the oldest entry goes first.
 * The caller keeps with each entry what it needs to re-check cheaply on a hit (the auth plugin
 * keeps the key that verified the token and refuses the hit when the key set no longer yields it).
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0 && this.maxEntries > 0;
  }

  /** What was kept for a token verified less than ttl ago and not expired now; undefined otherwise. */
  get(token: string): T | undefined {
    const e = this.entries.get(token);
    if (!e) return undefined;
    if (this.now() >= e.until) {
      this.entries.delete(token);
      return undefined;
    }
    return e.value;
  }

  /** Remembers a verified token; `expSeconds` is its exp claim. */
  set(token: string, value: T, expSeconds: number): void {
    if (!this.enabled) return;
    const until = Math.min(this.now() + this.ttlMs, expSeconds * 1000);
    if (!(until > this.now())) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { value, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
