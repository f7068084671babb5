/**
 * The statements of e-mail notifications: the cursor over the outbox, delivery rows (one per mail
 * and recipient, unique on (key, recipient)), their claims (FOR UPDATE SKIP LOCKED plus a lease,
 * so several instances can send at once), templates, and the requester's contact on the case.
 */
import type { Query } from '../db/query';
import type { Status } from '../domain/statuses';

/** An outbox event with what notifications need of its case (null fields: the case is gone). */
export interface NotifiableEvent {
  position: bigint;
  id: string;
  type: string;
  caseId: string;
  payload: Record<string, unknown>;
  number: string | null;
  subject: string | null;
  status: Status | null;
  requesterId: string | null;
  requesterEmail: string | null;
  ccEmails: string[];
  language: string;
  sensitive: boolean;
  anonymised: boolean;
  timerTo: Status | null;
  timerDueAt: Date | null;
  /** The body of the public message the event names (case.message_added only). */
  messageBody: string | null;
}

/**
 * Locks the notification cursor for this transaction and answers it; null when another instance
 * holds it (that instance is reading the outbox now).
 */
export async function lockCursor(q: Query): Promise<bigint | null> {
  const [row] = await q<{ position: string }>('SELECT position::text AS position FROM notification_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED');
  return row ? BigInt(row.position) : null;
}

/** Whether the outbox holds events past the cursor (committed or not): a cheap look before the safe bound. */
export async function outboxAhead(q: Query): Promise<boolean> {
  const [row] = await q<{ ahead: boolean }>(
    `SELECT coalesce((SELECT max(position) FROM outbox_event) > (SELECT position FROM notification_cursor WHERE id = 1), false) AS ahead`,
  );
  return row?.ahead ?? false;
}

export async function moveCursor(q: Query, position: bigint): Promise<void> {
  await q('UPDATE notification_cursor SET position = $1::bigint WHERE id = 1', [position]);
}

/** Up to `limit` case events in (after, bound], oldest first, with their cases' facts. */
export async function notifiableEvents(q: Query, after: bigint, bound: bigint, limit: number): Promise<NotifiableEvent[]> {
  const rows = await q<Omit<NotifiableEvent, 'position'> & { position: string }>(
    `SELECT e.position::text AS position, e.id::text AS id, e.type, e.case_id::text AS "caseId", e.payload,
            c.number, c.subject, c.status::text AS status, c.requester_id AS "requesterId", c.requester_email AS "requesterEmail",
            coalesce(c.cc_emails, '{}') AS "ccEmails", coalesce(c.language, 'nb') AS language,
            coalesce(cat.sensitive, false) AS sensitive, (c.id IS NULL OR c.anonymised_at IS NOT NULL) AS anonymised,
            t.to_status::text AS "timerTo", t.due_at AS "timerDueAt",
            CASE WHEN m.visibility = 'public' THEN m.body END AS "messageBody"
       FROM outbox_event e
       LEFT JOIN "case" c ON c.id = e.case_id
       LEFT JOIN category cat ON cat.key = c.category_key
       LEFT JOIN case_timer t ON t.case_id = c.id
       LEFT JOIN case_message m ON e.type = 'case.message_added' AND m.id = (e.payload ->> 'messageId')::uuid
      WHERE e.position > $1::bigint AND e.position <= $2::bigint AND e.case_id IS NOT NULL
      ORDER BY e.position
      LIMIT $3`,
    [after, bound, limit],
  );
  return rows.map((r) => ({ ...r, position: BigInt(r.position) }));
}

/** A waiting case whose reminder is due, with what its mail needs. */
export interface ReminderCandidate {
  caseId: string;
  number: string;
  subject: string;
  status: Status;
  requesterEmail: string | null;
  ccEmails: string[];
  language: string;
  sensitive: boolean;
  enteredAt: Date;
  dueAt: Date;
}

/**
 * Cases waiting for their requester whose wait completes within `daysBefore` days of `now` and
 * has not yet got its reminder (`key` names the wait: the case and its timer's due time).
 */
export async function dueReminders(q: Query, now: Date, daysBefore: number, limit: number): Promise<ReminderCandidate[]> {
  return q<ReminderCandidate>(
    `SELECT c.id::text AS "caseId", c.number, c.subject, c.status::text AS status, c.requester_email AS "requesterEmail",
            coalesce(c.cc_emails, '{}') AS "ccEmails", c.language, cat.sensitive, t.entered_at AS "enteredAt", t.due_at AS "dueAt"
       FROM case_timer t
       JOIN "case" c ON c.id = t.case_id
       JOIN category cat ON cat.key = c.category_key
      WHERE t.from_status = 'WAITING_FOR_USER' AND c.status = 'WAITING_FOR_USER' AND c.anonymised_at IS NULL
        AND t.due_at > $1::timestamptz AND t.due_at <= $1::timestamptz + make_interval(days => $2::int)
        AND t.due_at - make_interval(days => $2::int) > t.entered_at
        AND (c.requester_email IS NOT NULL OR cardinality(c.cc_emails) > 0)
        AND NOT EXISTS (SELECT 1 FROM notification_delivery d WHERE d.key = ${reminderKeySql('c.id', 't.due_at')})
      ORDER BY t.due_at
      LIMIT $3`,
    [now, daysBefore, limit],
  );
}

/** The key of the reminder of one wait: the same in SQL (above) and in TypeScript. */
export function reminderKey(caseId: string, dueAt: Date): string {
  return `reminder:${caseId}:${dueAt.getTime()}`;
}

function reminderKeySql(caseId: string, dueAt: string): string {
  return `'reminder:' || ${caseId}::text || ':' || (extract(epoch FROM ${dueAt}) * 1000)::bigint::text`;
}

/** A delivery to queue. */
export interface NewDelivery {
  key: string;
  caseId: string;
  eventId: string | null;
  kind: string;
  language: string;
  recipient: string;
  subject: string;
  body: string;
}

/** Inserts deliveries; one that exists already (same key and recipient) is left alone. Answers how many are new. */
export async function insertDeliveries(q: Query, rows: readonly NewDelivery[], now: Date): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await q(
    `INSERT INTO notification_delivery (key, case_id, event_id, kind, language, recipient, subject, body, next_attempt_at, created_at)
     SELECT r.key, r.case_id::uuid, r.event_id::uuid, r.kind, r.language, r.recipient, r.subject, r.body, $2::timestamptz, $2::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS r(key text, case_id text, event_id text, kind text, language text, recipient text, subject text, body text)
     ON CONFLICT (key, recipient) DO NOTHING
     RETURNING 1 AS one`,
    [
      JSON.stringify(
        rows.map((r) => ({
          key: r.key,
          case_id: r.caseId,
          event_id: r.eventId,
          kind: r.kind,
          language: r.language,
          recipient: r.recipient,
          subject: r.subject,
          body: r.body,
        })),
      ),
      now,
    ],
  );
  return inserted.length;
}

/** A delivery claimed for sending. */
export interface ClaimedMail {
  id: bigint;
  caseId: string;
  recipient: string;
  subject: string;
  body: string;
  attempts: number;
  sensitive: boolean;
}

/** Claims up to `limit` pending deliveries due at `now`, leased until `lockedUntil`, oldest first. */
export async function claimMails(q: Query, now: Date, lockedUntil: Date, limit: number): Promise<ClaimedMail[]> {
  const rows = await q<Omit<ClaimedMail, 'id'> & { id: string }>(
    `WITH claimable AS (
       SELECT d.id FROM notification_delivery d
        WHERE d.state = 'pending' AND d.next_attempt_at <= $1::timestamptz
          AND (d.locked_until IS NULL OR d.locked_until <= $1::timestamptz)
        ORDER BY d.next_attempt_at, d.id
        LIMIT $3
        FOR UPDATE SKIP LOCKED
     )
     UPDATE notification_delivery d SET locked_until = $2::timestamptz
       FROM claimable cl WHERE d.id = cl.id
     RETURNING d.id::text AS id, d.case_id::text AS "caseId", d.recipient, d.subject, d.body, d.attempts,
               (d.kind = 'sensitive') AS sensitive`,
    [now, lockedUntil, limit],
  );
  return rows.map((r) => ({ ...r, id: BigInt(r.id) })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * Records an attempt: `next` null and `error` null is sent, `next` null with an error a permanent
 * failure, else a retry at `next`. Only while the lease is this attempt's (`lockedUntil`), so an
 * instance whose lease ran out cannot overwrite the outcome of the one that took over.
 */
export async function recordAttempt(
  q: Query,
  id: bigint,
  lockedUntil: Date,
  o: { at: Date; error: string | null; next: Date | null },
): Promise<void> {
  await q(
    `UPDATE notification_delivery SET attempts = attempts + 1, last_attempt_at = $3, last_error = $4, locked_until = NULL,
            state = CASE WHEN $4::text IS NULL THEN 'sent' WHEN $5::timestamptz IS NULL THEN 'failed' ELSE 'pending' END::"NotificationState",
            sent_at = CASE WHEN $4::text IS NULL THEN $3::timestamptz ELSE NULL END,
            next_attempt_at = coalesce($5::timestamptz, next_attempt_at)
      WHERE id = $1::bigint AND locked_until = $2::timestamptz AND state = 'pending'`,
    [id, lockedUntil, o.at, o.error, o.next],
  );
}

/** One delivery as staff see it. */
export interface DeliveryRow {
  id: string;
  kind: string;
  language: string;
  recipient: string;
  subject: string;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  sentAt: Date | null;
  nextAttemptAt: Date;
  createdAt: Date;
  eventId: string | null;
}

/** The deliveries of a case, oldest first. */
export async function listCaseDeliveries(q: Query, caseId: string): Promise<DeliveryRow[]> {
  return q<DeliveryRow>(
    `SELECT id::text AS id, kind, language, recipient, subject, state::text AS state, attempts, last_error AS "lastError",
            last_attempt_at AS "lastAttemptAt", sent_at AS "sentAt", next_attempt_at AS "nextAttemptAt", created_at AS "createdAt",
            event_id::text AS "eventId"
       FROM notification_delivery WHERE case_id = $1::uuid ORDER BY id`,
    [caseId],
  );
}

export interface TemplateRow {
  kind: string;
  language: string;
  subject: string;
  body: string;
  updatedBy: string | null;
  updatedAt: Date;
}

export async function listTemplates(q: Query): Promise<TemplateRow[]> {
  return q<TemplateRow>(
    `SELECT kind, language, subject, body, updated_by AS "updatedBy", updated_at AS "updatedAt" FROM notification_template ORDER BY kind, language`,
  );
}

export async function findTemplate(q: Query, kind: string, language: string): Promise<TemplateRow | null> {
  const [row] = await q<TemplateRow>(
    `SELECT kind, language, subject, body, updated_by AS "updatedBy", updated_at AS "updatedAt"
       FROM notification_template WHERE kind = $1 AND language = $2`,
    [kind, language],
  );
  return row ?? null;
}

export async function upsertTemplate(q: Query, t: TemplateRow): Promise<TemplateRow> {
  const [row] = await q<TemplateRow>(
    `INSERT INTO notification_template (kind, language, subject, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (kind, language) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,
       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING kind, language, subject, body, updated_by AS "updatedBy", updated_at AS "updatedAt"`,
    [t.kind, t.language, t.subject, t.body, t.updatedBy, t.updatedAt],
  );
  return row!;
}
