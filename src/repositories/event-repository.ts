import type { Query } from '../db/query';

/**
 * The advisory lock every transaction writing outbox events holds shared (a statement trigger
 * on outbox_event takes it, migration 20261127131013_integration). Keep the two in step.
 */
export const OUTBOX_LOCK_KEY = 1397441350;

/** An outbox event with the facts of its case that decide who may see it. */
export interface FeedRow {
  position: bigint;
  id: string;
  type: string;
  caseId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
  caseExists: boolean;
  requesterId: string | null;
  filedById: string | null;
  teamKey: string | null;
  sensitive: boolean | null;
}

/**
 * The highest outbox position no writer in flight can still fill, in the caller's transaction,
 * or null when the outbox lock was not had. The lock is taken exclusively and max(position) read
 * while holding it. With `waitMs` 0 the lock is only tried: the request never queues, so it never
 * holds a writer back. Otherwise it queues for at most `waitMs` (every new writer queues behind it
 * meanwhile) and then gives up: `outbox_lock_within` (migration 20261202160000) catches the
 * timeout, so the transaction goes on and PostgreSQL's log gets no ERROR line for it.
 */
export async function readSafeBound(q: Query, waitMs = 0): Promise<bigint | null> {
  const [got] =
    waitMs > 0
      ? await q<{ locked: boolean }>('SELECT outbox_lock_within($1::bigint, $2::int) AS locked', [OUTBOX_LOCK_KEY, Math.ceil(waitMs)])
      : await q<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [OUTBOX_LOCK_KEY]);
  if (!got?.locked) return null;
  const [row] = await q<{ max: string | null }>('SELECT max(position)::text AS max FROM outbox_event');
  return row?.max ? BigInt(row.max) : 0n;
}

/** The highest position of a committed event, read without the lock (so not a safe bound). */
export async function readHighestPosition(q: Query): Promise<bigint> {
  const [row] = await q<{ max: string | null }>('SELECT max(position)::text AS max FROM outbox_event');
  return row?.max ? BigInt(row.max) : 0n;
}

/** Up to `limit` events in (after, bound], oldest first, with the facts of their cases. */
export async function eventsAfter(q: Query, after: bigint, bound: bigint, limit: number): Promise<FeedRow[]> {
  const rows = await q<Omit<FeedRow, 'position'> & { position: string }>(
    `SELECT e.position::text AS position, e.id::text AS id, e.type, e.case_id::text AS "caseId", e.payload, e.created_at AS "createdAt",
            (c.id IS NOT NULL) AS "caseExists", c.requester_id AS "requesterId", c.filed_by_id AS "filedById",
            c.team_key AS "teamKey", cat.sensitive
       FROM outbox_event e
       LEFT JOIN "case" c ON c.id = e.case_id
       LEFT JOIN category cat ON cat.key = c.category_key
      WHERE e.position > $1::bigint AND e.position <= $2::bigint
      ORDER BY e.position
      LIMIT $3`,
    [after, bound, limit],
  );
  return rows.map((r) => ({ ...r, position: BigInt(r.position) }));
}
