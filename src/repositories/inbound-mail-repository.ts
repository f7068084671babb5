/** Received mail (table inbound_mail: one row per Message-ID) and the look-ups mail intake needs. */
import { randomUUID } from 'node:crypto';
import type { Query } from '../db/query';

export type InboundOutcome = 'pending' | 'case-created' | 'message-added' | 'ignored';

export interface InboundMailRow {
  messageId: string;
  outcome: InboundOutcome;
  caseId: string | null;
  caseNumber: string | null;
  reason: string | null;
  receivedAt: Date;
}

/**
 * Claims a Message-ID for this delivery: inserts it as `pending`, or takes over a `pending` row
 * older than `staleBefore` (its first delivery died mid-way). Null when another delivery holds or
 * finished it.
 */
export async function claimInboundMail(q: Query, messageId: string, now: Date, staleBefore: Date): Promise<boolean> {
  const rows = await q(
    `INSERT INTO inbound_mail (id, message_id, outcome, received_at) VALUES ($1::uuid, $2, 'pending', $3)
     ON CONFLICT (message_id) DO UPDATE SET received_at = EXCLUDED.received_at
       WHERE inbound_mail.outcome = 'pending' AND inbound_mail.received_at < $4
     RETURNING id`,
    [randomUUID(), messageId, now, staleBefore],
  );
  return rows.length === 1;
}

/** What became of a Message-ID, with its case's number. */
export async function findInboundMail(q: Query, messageId: string): Promise<InboundMailRow | null> {
  const [row] = await q<InboundMailRow>(
    `SELECT m.message_id AS "messageId", m.outcome, m.case_id AS "caseId", c.number AS "caseNumber", m.reason,
            m.received_at AS "receivedAt"
       FROM inbound_mail m LEFT JOIN "case" c ON c.id = m.case_id
      WHERE m.message_id = $1`,
    [messageId],
  );
  return row ?? null;
}

/** Records what a claimed Message-ID did (or, with the case only, how far it got). */
export async function recordInboundMail(
  q: Query,
  messageId: string,
  r: { outcome: Exclude<InboundOutcome, 'pending'> | 'pending'; caseId: string | null; reason: string | null },
): Promise<void> {
  await q(`UPDATE inbound_mail SET outcome = $2, case_id = $3::uuid, reason = $4 WHERE message_id = $1`, [messageId, r.outcome, r.caseId, r.reason]);
}

/** Gives a claim back, so the next delivery of the message does the work. */
export async function releaseInboundMail(q: Query, messageId: string): Promise<void> {
  await q(`DELETE FROM inbound_mail WHERE message_id = $1 AND outcome = 'pending'`, [messageId]);
}

/** A case id by its human number (the token of a mail subject). */
export async function findCaseIdByNumber(q: Query, number: string): Promise<string | null> {
  const [row] = await q<{ id: string }>(`SELECT id FROM "case" WHERE number = $1`, [number]);
  return row?.id ?? null;
}

/** Whether a case with this id exists (a References id is the sender's to make up). */
export async function caseIdExists(q: Query, id: string): Promise<boolean> {
  return (await q(`SELECT 1 FROM "case" WHERE id = $1::uuid`, [id])).length === 1;
}

/**
 * The category a mail without one is filed in: `preferred` if active, else the first active
 * non-sensitive one; never a form handled by the leader (docs/reference-data.md).
 */
export async function mailCategory(q: Query, preferred: string): Promise<string | null> {
  const [row] = await q<{ key: string }>(
    `SELECT key FROM category WHERE active AND handled_by = 'centre' AND (key = $1 OR NOT sensitive)
      ORDER BY (key = $1) DESC, sort_order, key LIMIT 1`,
    [preferred],
  );
  return row?.key ?? null;
}
