import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { pgQuery, type Query } from '../db/query';
import { claimKey, completeKey, findKey, purgeExpiredKeys, releaseKey } from '../repositories/idempotency-repository';

/** A stored answer, replayed byte for byte. */
export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string | null;
}

/** What a request holding an Idempotency-Key may do. */
export type Claim =
  /** Nobody answered this key yet: do the work, then `complete` or `release`. */
  | { kind: 'owner'; owner: string }
  /** The key was answered: send this answer again. */
  | { kind: 'replay'; response: StoredResponse }
  /** The key was used for another request (method, path or body differ). */
  | { kind: 'mismatch' }
  /** Another request with the key is still running. */
  | { kind: 'in-progress' };

/**
 * How long an in-progress key belongs to the request that claimed it. A request running longer
 * (or an instance that died mid-request) loses the key to a retry, which then does the work; a
 * bulk request of 500 items stays well within it.
 */
const LEASE_MS = 120_000;

/** Sorts object keys so that the same JSON body in another key order hashes the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The fingerprint of a request: method, path with query, and the parsed body in canonical form. */
export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([method, url, canonical(body ?? null)]))
    .digest('hex');
}

/**
 * Idempotency keys in PostgreSQL (table idempotency_key), so they hold across instances and
 * restarts. A key is claimed by inserting its row (ON CONFLICT DO NOTHING, its own short
 * transaction): exactly one concurrent request wins and does the work; the others see the row
 * in progress and wait for its answer.
 */
export class IdempotencyService {
  private readonly q: Query;

  constructor(
    pool: pg.Pool,
    private readonly clock: Clock,
    private readonly ttlHours: number,
  ) {
    this.q = pgQuery(pool);
  }

  /**
   * Claims `key` for a request with fingerprint `hash`. An expired row, or an in-progress row of
   * the same request whose lease ran out, is taken over as if it were absent.
   */
  async claim(principal: string, key: string, hash: string): Promise<Claim> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.ttlHours * 3_600_000);
    const leaseUntil = new Date(now.getTime() + LEASE_MS);
    for (let i = 0; i < 3; i++) {
      const owner = randomUUID();
      const won = await claimKey(this.q, { principal, key, hash, owner, leaseUntil, now, expiresAt });
      if (won === owner) return { kind: 'owner', owner };

      const row = await findKey(this.q, principal, key);
      // Released (the first request failed with a 5xx) between the two statements: claim again.
      if (!row) continue;
      if (row.requestHash !== hash) return { kind: 'mismatch' };
      if (row.state === 'in_progress') return { kind: 'in-progress' };
      return {
        kind: 'replay',
        response: { statusCode: row.statusCode ?? 200, headers: (row.headers ?? {}) as Record<string, string>, body: row.body },
      };
    }
    return { kind: 'in-progress' };
  }

  /** Stores the answer of the request that owns the key; retries get it from now on. */
  async complete(principal: string, key: string, owner: string, response: StoredResponse): Promise<void> {
    await completeKey(this.q, principal, key, owner, response);
  }

  /** Gives the key up (the request failed with a 5xx): a retry does the work afresh. */
  async release(principal: string, key: string, owner: string): Promise<void> {
    await releaseKey(this.q, principal, key, owner);
  }

  /** Deletes expired keys; answers how many. Expired keys are ignored anyway, this keeps the table small. */
  async purgeExpired(now: Date = this.clock.now()): Promise<number> {
    return purgeExpiredKeys(this.q, now);
  }
}
