/** The statements of retention: which closed cases are due, and the erasure around a case row. */
import { ANONYMISED, ANONYMISED_ID, CODE_FIELDS, PERSON_ROLES, type RetainedCase } from '../domain/retention';
import type { Query } from '../db/query';

/**
 * Locks up to `limit` closed, not yet anonymised cases whose retention ended at `asOf`, skipping
 * cases another transaction holds. Months are calendar months in `zone`: closed 2023-03-15 with
 * 24 months expires 2025-03-15 00:00 in that zone whatever the DST offset.
 */
export async function claimExpiredCases(q: Query, asOf: Date, zone: string, limit: number): Promise<RetainedCase[]> {
  return q<RetainedCase>(
    `SELECT c.id, c.number, c.version, c.closed_at AS "closedAt", cat.retention_months AS "retentionMonths",
            c.filed_by_id AS "filedById", c.filed_by_role AS "filedByRole"
       FROM "case" c JOIN category cat ON cat.key = c.category_key
      WHERE c.status = 'CLOSED' AND c.anonymised_at IS NULL AND c.closed_at IS NOT NULL
        AND ((c.closed_at AT TIME ZONE $1) + make_interval(months => cat.retention_months)) AT TIME ZONE $1 <= $2
      ORDER BY c.closed_at, c.id
      LIMIT $3
      FOR UPDATE OF c SKIP LOCKED`,
    [zone, asOf, limit],
  );
}

/**
 * Scrubs the personal data of a case's messages, attachments, history and outbox events (the
 * case row itself is written by its anonymisation plan). Rows stay, so reports keep counting.
 */
export async function scrubCaseParts(q: Query, caseId: string): Promise<void> {
  await q(
    `UPDATE case_message SET
       body = $2,
       author_id = CASE WHEN author_role = ANY($4::text[]) THEN $3 ELSE author_id END,
       on_behalf_of = CASE WHEN on_behalf_of IS NULL THEN NULL ELSE $2 END
     WHERE case_id = $1::uuid`,
    [caseId, ANONYMISED, ANONYMISED_ID, PERSON_ROLES],
  );
  await q(
    `UPDATE attachment SET
       data = NULL, filename = $2, sha256 = '',
       uploaded_by_id = CASE WHEN uploaded_by_role = ANY($4::text[]) THEN $3 ELSE uploaded_by_id END
     WHERE case_id = $1::uuid`,
    [caseId, ANONYMISED, ANONYMISED_ID, PERSON_ROLES],
  );
  // History rows stay (statistics need them) but lose the people and free text in them.
  await q(
    `UPDATE case_history SET
       actor_id = CASE WHEN actor_role = ANY($4::text[]) THEN $3 ELSE actor_id END,
       on_behalf_of = CASE WHEN on_behalf_of IS NULL THEN NULL ELSE $2 END,
       from_value = CASE WHEN from_value IS NULL OR field = ANY($5::text[]) THEN from_value ELSE $2 END,
       to_value = CASE WHEN to_value IS NULL OR field = ANY($5::text[]) THEN to_value ELSE $2 END,
       reason = CASE WHEN reason IS NULL OR actor_role = 'system' THEN reason ELSE $2 END
     WHERE case_id = $1::uuid`,
    [caseId, ANONYMISED, ANONYMISED_ID, PERSON_ROLES, CODE_FIELDS],
  );
  // Events already in the outbox name the requester as actor and may carry free-text reasons;
  // the feed keeps the events, not the people in them.
  await q(
    `UPDATE outbox_event SET payload = jsonb_set(payload, '{actor,id}', to_jsonb($2::text))
      WHERE case_id = $1::uuid AND payload #>> '{actor,role}' = ANY($3::text[])`,
    [caseId, ANONYMISED_ID, PERSON_ROLES],
  );
  await q(
    `UPDATE outbox_event SET payload = jsonb_set(payload, '{actor,onBehalfOf}', to_jsonb($2::text))
      WHERE case_id = $1::uuid AND jsonb_typeof(payload #> '{actor,onBehalfOf}') = 'string'`,
    [caseId, ANONYMISED],
  );
  await q(
    `UPDATE outbox_event SET payload = jsonb_set(payload, '{reason}', to_jsonb($2::text))
      WHERE case_id = $1::uuid AND jsonb_typeof(payload -> 'reason') = 'string' AND payload #>> '{actor,role}' <> 'system'`,
    [caseId, ANONYMISED],
  );
}
