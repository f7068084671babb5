/** Idempotency keys (table idempotency_key): claimed, answered, released and purged. */
import type { IdempotencyKey } from '../generated/prisma/client';
import type { Query } from '../db/query';

export type IdempotencyRow = Pick<IdempotencyKey, 'requestHash' | 'state' | 'statusCode' | 'headers' | 'body'>;

/**
 * Inserts the key as in progress for `owner`, or takes over a row that expired, or an
 * in-progress row of the same request whose lease ran out. Answers the owner now on the row when
 * this statement wrote it, null when the row belongs to someone else.
 */
export async function claimKey(
  q: Query,
  k: { principal: string; key: string; hash: string; owner: string; leaseUntil: Date; now: Date; expiresAt: Date },
): Promise<string | null> {
  const [row] = await q<{ owner: string }>(
    `INSERT INTO idempotency_key (principal, key, request_hash, state, owner, lease_until, created_at, expires_at)
     VALUES ($1, $2, $3, 'in_progress', $4::uuid, $5, $6, $7)
     ON CONFLICT (principal, key) DO UPDATE SET
       request_hash = EXCLUDED.request_hash, state = 'in_progress', owner = EXCLUDED.owner,
       lease_until = EXCLUDED.lease_until, status_code = NULL, headers = NULL, body = NULL,
       created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
     WHERE idempotency_key.expires_at <= $6
        OR (idempotency_key.state = 'in_progress' AND idempotency_key.lease_until <= $6
            AND idempotency_key.request_hash = EXCLUDED.request_hash)
     RETURNING owner::text AS owner`,
    [k.principal, k.key, k.hash, k.owner, k.leaseUntil, k.now, k.expiresAt],
  );
  return row?.owner ?? null;
}

export async function findKey(q: Query, principal: string, key: string): Promise<IdempotencyRow | null> {
  const [row] = await q<IdempotencyRow>(
    `SELECT request_hash AS "requestHash", state::text AS state, status_code AS "statusCode", headers, body
       FROM idempotency_key WHERE principal = $1 AND key = $2`,
    [principal, key],
  );
  return row ?? null;
}

/** Stores the answer on the key, if `owner` still holds it in progress. */
export async function completeKey(
  q: Query,
  principal: string,
  key: string,
  owner: string,
  answer: { statusCode: number; headers: Record<string, string>; body: string | null },
): Promise<void> {
  await q(
    `UPDATE idempotency_key SET state = 'done', status_code = $4, headers = $5::jsonb, body = $6
      WHERE principal = $1 AND key = $2 AND owner = $3::uuid AND state = 'in_progress'`,
    [principal, key, owner, answer.statusCode, JSON.stringify(answer.headers), answer.body],
  );
}

/** Deletes the key, if `owner` still holds it in progress. */
export async function releaseKey(q: Query, principal: string, key: string, owner: string): Promise<void> {
  await q(`DELETE FROM idempotency_key WHERE principal = $1 AND key = $2 AND owner = $3::uuid AND state = 'in_progress'`, [principal, key, owner]);
}

/** Deletes the keys expired at `now`; answers how many. */
export async function purgeExpiredKeys(q: Query, now: Date): Promise<number> {
  const [row] = await q<{ n: number }>(
    'WITH d AS (DELETE FROM idempotency_key WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM d',
    [now],
  );
  return row?.n ?? 0;
}
