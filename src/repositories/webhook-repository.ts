/**
 * Webhook subscriptions, their deliveries and the attempt log. Claims use FOR UPDATE SKIP LOCKED
 * so any number of instances can run the delivery loop at once (src/services/webhook-service.ts).
 */
import type { WebhookSubscription } from '../generated/prisma/client';
import type { Query } from '../db/query';

/** A subscription without its cursor (a position in the outbox, read only by the fan-out). */
export type SubscriptionRow = Omit<WebhookSubscription, 'cursor'>;

const SUBSCRIPTION_COLUMNS = `id::text AS id, url, event_types AS "eventTypes", secret, description, active,
  include_sensitive AS "includeSensitive",
  consecutive_failures AS "consecutiveFailures", disabled_at AS "disabledAt", disabled_reason AS "disabledReason",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function listSubscriptions(q: Query): Promise<SubscriptionRow[]> {
  return q<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscription ORDER BY created_at, id`);
}

export async function findSubscription(q: Query, id: string): Promise<SubscriptionRow | null> {
  const [row] = await q<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscription WHERE id = $1::uuid`, [id]);
  return row ?? null;
}

export async function insertSubscription(
  q: Query,
  s: Omit<WebhookSubscription, 'id' | 'consecutiveFailures' | 'includeSensitive'> & { includeSensitive?: boolean },
): Promise<SubscriptionRow> {
  const [row] = await q<SubscriptionRow>(
    `INSERT INTO webhook_subscription
       (id, url, event_types, secret, description, active, cursor, disabled_at, disabled_reason, created_by, created_at, updated_at,
        include_sensitive)
     VALUES (gen_random_uuid(), $1, $2::text[], $3, $4, $5, $6::bigint, $7, $8, $9, $10, $11, $12)
     RETURNING ${SUBSCRIPTION_COLUMNS}`,
    [
      s.url,
      s.eventTypes,
      s.secret,
      s.description,
      s.active,
      s.cursor,
      s.disabledAt,
      s.disabledReason,
      s.createdBy,
      s.createdAt,
      s.updatedAt,
      s.includeSensitive ?? false,
    ],
  );
  return row!;
}

/** The columns a subscription change may set. */
export type SubscriptionPatch = Partial<
  Pick<
    WebhookSubscription,
    | 'url'
    | 'eventTypes'
    | 'secret'
    | 'description'
    | 'active'
    | 'includeSensitive'
    | 'consecutiveFailures'
    | 'disabledAt'
    | 'disabledReason'
    | 'updatedAt'
  >
>;

const PATCH_COLUMNS: Record<keyof SubscriptionPatch, string> = {
  url: 'url',
  eventTypes: 'event_types',
  secret: 'secret',
  description: 'description',
  active: 'active',
  includeSensitive: 'include_sensitive',
  consecutiveFailures: 'consecutive_failures',
  disabledAt: 'disabled_at',
  disabledReason: 'disabled_reason',
  updatedAt: 'updated_at',
};

/** Sets the given columns (undefined ones are left alone); answers the row, or null when there is none. */
export async function updateSubscription(q: Query, id: string, patch: SubscriptionPatch): Promise<SubscriptionRow | null> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [key, column] of Object.entries(PATCH_COLUMNS) as Array<[keyof SubscriptionPatch, string]>) {
    if (patch[key] === undefined) continue;
    params.push(patch[key]);
    sets.push(`${column} = $${params.length}${key === 'eventTypes' ? '::text[]' : ''}`);
  }
  if (sets.length === 0) return findSubscription(q, id);
  const [row] = await q<SubscriptionRow>(
    `UPDATE webhook_subscription SET ${sets.join(', ')} WHERE id = $1::uuid RETURNING ${SUBSCRIPTION_COLUMNS}`,
    params,
  );
  return row ?? null;
}

/** Deletes a subscription (its deliveries and their log cascade); answers whether there was one. */
export async function deleteSubscription(q: Query, id: string): Promise<boolean> {
  const rows = await q('DELETE FROM webhook_subscription WHERE id = $1::uuid RETURNING 1 AS gone', [id]);
  return rows.length > 0;
}

/** One delivery with its latest attempts (up to 20, oldest first). */
export interface DeliveryRow {
  id: bigint;
  eventId: string;
  eventType: string;
  eventPosition: bigint;
  caseId: string | null;
  state: 'pending' | 'succeeded';
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  attemptLog: Array<{ at: Date; statusCode: number | null; error: string | null; durationMs: number }>;
}

/** Deliveries of a subscription, newest first, with ids below `beforeId` when given. */
export async function listDeliveries(
  q: Query,
  subscriptionId: string,
  opts: { state?: 'pending' | 'succeeded'; failed?: boolean; beforeId?: bigint; limit: number },
): Promise<DeliveryRow[]> {
  const params: unknown[] = [subscriptionId, opts.limit];
  let where = 'd.subscription_id = $1::uuid';
  // Failed: tried, and not delivered (a pending delivery with attempts behind it).
  const failed = `(d.state = 'pending' AND d.attempts > 0)`;
  if (opts.failed !== undefined) where += opts.failed ? ` AND ${failed}` : ` AND NOT ${failed}`;
  if (opts.state) {
    params.push(opts.state);
    where += ` AND d.state = $${params.length}::"WebhookDeliveryState"`;
  }
  if (opts.beforeId !== undefined) {
    params.push(opts.beforeId);
    where += ` AND d.id < $${params.length}::bigint`;
  }
  const rows = await q<
    Omit<DeliveryRow, 'id' | 'eventPosition' | 'attemptLog'> & {
      id: string;
      eventPosition: string;
      attemptLog: Array<{ at: string; statusCode: number | null; error: string | null; durationMs: number }>;
    }
  >(
    `SELECT d.id::text AS id, d.event_id::text AS "eventId", d.event_type AS "eventType", d.event_position::text AS "eventPosition",
            d.case_id::text AS "caseId", d.state::text AS state, d.attempts, d.next_attempt_at AS "nextAttemptAt",
            d.last_attempt_at AS "lastAttemptAt", d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
            d.delivered_at AS "deliveredAt", d.created_at AS "createdAt",
            coalesce((SELECT json_agg(json_build_object('at', a.at, 'statusCode', a.status_code, 'error', a.error, 'durationMs', a.duration_ms) ORDER BY a.id)
                        FROM (SELECT * FROM webhook_attempt WHERE delivery_id = d.id ORDER BY id DESC LIMIT 20) a), '[]'::json) AS "attemptLog"
       FROM webhook_delivery d
      WHERE ${where}
      ORDER BY d.id DESC
      LIMIT $2`,
    params,
  );
  return rows.map((r) => ({
    ...r,
    id: BigInt(r.id),
    eventPosition: BigInt(r.eventPosition),
    attemptLog: r.attemptLog.map((a) => ({ ...a, at: new Date(a.at) })),
  }));
}

/**
 * Whether any active subscription's cursor is behind the newest event: without one there is
 * nothing to fan out, and the run skips the feed's safe bound (which holds new writers back while
 * it waits for the ones in flight).
 */
export async function subscriptionsAhead(q: Query): Promise<boolean> {
  const [row] = await q<{ ahead: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM webhook_subscription WHERE active AND cursor < (SELECT max(position) FROM outbox_event)) AS ahead`,
  );
  return row?.ahead ?? false;
}

/** Active subscriptions whose cursor is behind `bound`. */
export async function subscriptionsBehind(q: Query, bound: bigint): Promise<string[]> {
  const rows = await q<{ id: string }>('SELECT id::text AS id FROM webhook_subscription WHERE active AND cursor < $1::bigint', [bound]);
  return rows.map((r) => r.id);
}

/**
 * Fans the next `batch` events after the subscription's cursor (up to `bound`) out into its
 * delivery rows and moves the cursor past them, in the caller's transaction. Answers null when
 * another instance holds the subscription, it was deactivated, or its cursor reached `bound`.
 */
export async function fanOutBatch(
  q: Query,
  subscriptionId: string,
  bound: bigint,
  now: Date,
  batch: number,
): Promise<{ queued: number; more: boolean } | null> {
  const [sub] = await q<{ cursor: string }>(
    'SELECT cursor::text AS cursor FROM webhook_subscription WHERE id = $1::uuid AND active FOR UPDATE SKIP LOCKED',
    [subscriptionId],
  );
  if (!sub || BigInt(sub.cursor) >= bound) return null;
  const [out] = await q<{ last: string | null; scanned: number; queued: number }>(
    `WITH batch AS (
       SELECT e.position, e.id, e.type, e.case_id FROM outbox_event e
        WHERE e.position > $2::bigint AND e.position <= $3::bigint
        ORDER BY e.position LIMIT $5
     ), ins AS (
       INSERT INTO webhook_delivery (subscription_id, event_id, event_position, event_type, case_id, next_attempt_at, created_at)
       SELECT ws.id, b.id, b.position, b.type, b.case_id, $4::timestamptz, $4::timestamptz
         FROM batch b JOIN webhook_subscription ws ON ws.id = $1::uuid
        WHERE '*' = ANY(ws.event_types) OR b.type = ANY(ws.event_types)
       ON CONFLICT (subscription_id, event_id) DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT max(position) FROM batch)::text AS last, (SELECT count(*) FROM batch)::int AS scanned,
            (SELECT count(*) FROM ins)::int AS queued`,
    [subscriptionId, sub.cursor, bound, now, batch],
  );
  const more = out!.scanned === batch;
  const cursor = more ? out!.last! : bound;
  await q('UPDATE webhook_subscription SET cursor = $2::bigint WHERE id = $1::uuid', [subscriptionId, cursor]);
  return { queued: out!.queued, more };
}

/** A delivery claimed for sending, with its subscription's address and its event (null fields: the event is gone). */
export interface ClaimedDelivery {
  id: bigint;
  attempts: number;
  subscriptionId: string;
  url: string;
  secret: string;
  /** The subscription holds the sensitive grant: payloads of sensitive cases go out in full. */
  includeSensitive: boolean;
  /** The event's case is of a sensitive category, or is gone (nothing left to tell). */
  sensitive: boolean;
  position: bigint | null;
  eventId: string;
  type: string;
  caseId: string | null;
  payload: Record<string, unknown> | null;
  createdAt: Date | null;
}

/**
 * Claims up to `limit` deliveries due at `now` whose case has no earlier pending delivery for the
 * same subscription, leasing them until `lockedUntil`; answers them in event order.
 */
export async function claimDeliveries(q: Query, now: Date, lockedUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  const ids = await q<{ id: string }>(
    `WITH claimable AS (
       SELECT d.id FROM webhook_delivery d
         JOIN webhook_subscription s ON s.id = d.subscription_id
        WHERE d.state = 'pending' AND s.active AND d.next_attempt_at <= $1::timestamptz
          AND (d.locked_until IS NULL OR d.locked_until <= $1::timestamptz)
          AND NOT EXISTS (
            SELECT 1 FROM webhook_delivery p
             WHERE p.subscription_id = d.subscription_id AND p.case_id = d.case_id
               AND p.state = 'pending' AND p.event_position < d.event_position)
        ORDER BY d.event_position, d.id
        LIMIT $3
        FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_delivery d SET locked_until = $2::timestamptz
       FROM claimable c WHERE d.id = c.id
     RETURNING d.id::text AS id`,
    [now, lockedUntil, limit],
  );
  if (ids.length === 0) return [];
  const rows = await q<Omit<ClaimedDelivery, 'id' | 'position'> & { id: string; position: string | null }>(
    `SELECT d.id::text AS id, d.attempts, d.subscription_id::text AS "subscriptionId", s.url, s.secret,
            s.include_sensitive AS "includeSensitive",
            coalesce(cat.sensitive, d.case_id IS NOT NULL) AS sensitive,
            e.position::text AS position, d.event_id::text AS "eventId", d.event_type AS type, d.case_id::text AS "caseId",
            e.payload, e.created_at AS "createdAt"
       FROM webhook_delivery d
       JOIN webhook_subscription s ON s.id = d.subscription_id
       LEFT JOIN outbox_event e ON e.id = d.event_id
       LEFT JOIN "case" c ON c.id = d.case_id
       LEFT JOIN category cat ON cat.key = c.category_key
      WHERE d.id = ANY($1::bigint[])
      ORDER BY d.event_position, d.id`,
    [ids.map((r) => r.id)],
  );
  return rows.map((r) => ({ ...r, id: BigInt(r.id), position: r.position === null ? null : BigInt(r.position) }));
}

/** What one attempt at a delivery came to. */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export async function insertAttempt(q: Query, deliveryId: bigint, at: Date, o: AttemptOutcome): Promise<void> {
  await q('INSERT INTO webhook_attempt (delivery_id, at, status_code, error, duration_ms) VALUES ($1::bigint, $2, $3, $4, $5)', [
    deliveryId,
    at,
    o.statusCode,
    o.error,
    o.durationMs,
  ]);
}

/** Locks a subscription's failure count for this transaction; null when the subscription is gone. */
export async function lockSubscriptionHealth(q: Query, id: string): Promise<{ active: boolean; failures: number } | null> {
  const [row] = await q<{ active: boolean; failures: number }>(
    'SELECT active, consecutive_failures AS failures FROM webhook_subscription WHERE id = $1::uuid FOR UPDATE',
    [id],
  );
  return row ?? null;
}

export async function markDelivered(q: Query, id: bigint, attempts: number, at: Date, o: AttemptOutcome): Promise<void> {
  await q(
    `UPDATE webhook_delivery SET state = 'succeeded', attempts = $2, last_attempt_at = $3, last_status_code = $4, last_error = $5,
            delivered_at = $3, locked_until = NULL
      WHERE id = $1::bigint`,
    [id, attempts, at, o.statusCode, o.error],
  );
}

export async function scheduleRetry(q: Query, id: bigint, attempts: number, at: Date, nextAttemptAt: Date, o: AttemptOutcome): Promise<void> {
  await q(
    `UPDATE webhook_delivery SET attempts = $2, next_attempt_at = $4, last_attempt_at = $3, last_status_code = $5, last_error = $6,
            locked_until = NULL
      WHERE id = $1::bigint`,
    [id, attempts, at, nextAttemptAt, o.statusCode, o.error],
  );
}
