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
            c.requester_id AS "requesterId", c.concerns_employee ->> 'id' AS "concernedId",
            c.filed_by_id AS "filedById", c.filed_by_role AS "filedByRole",
            c.external_requester IS NOT NULL AS external, c.assignee_id AS "assigneeId"
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
 * Queues every word the claimed cases hold for the word-list cleanup (search_lexeme_removed), in
 * one pass in word order, before anything of them is scrubbed. The erasure that follows removes
 * their words case by case (a message scrub, then the batch's anonymising UPDATE), and the search
 * trigger queues each case's removed words in order — but only within that case, so two
 * retention batches (two instances) could take the same queued words in opposite orders and
 * deadlock (seen once in a 30-minute two-instance soak). Taken here first, in one global order,
 * the trigger's later queueing finds each word already held by this transaction. A word a case
 * keeps after anonymisation is checked by the cleanup and stays in the word list.
 */
export async function queueWordsOf(q: Query, caseIds: readonly string[]): Promise<void> {
  if (caseIds.length === 0) return;
  await q(
    `INSERT INTO search_lexeme_removed (lexeme)
     SELECT DISTINCT w
       FROM "case" c,
            unnest(tsvector_to_array(coalesce(c.search_fields, ''::tsvector) || coalesce(c.search_messages, ''::tsvector)
                                     || coalesce(c.search_internal, ''::tsvector))) w
      WHERE c.id = ANY($1::uuid[])
      ORDER BY w
     ON CONFLICT (lexeme) DO UPDATE SET lexeme = EXCLUDED.lexeme`,
    [caseIds],
  );
}

/** A claimed case and the subject ids of the people it is about (peopleOf in src/domain/retention.ts). */
export interface CaseToScrub {
  id: string;
  people: readonly string[];
}

/**
 * Scrubs the personal data around the case rows of a retention batch (the rows themselves are
 * written by their anonymisation plans): every message body and attachment; every subject id in
 * a case's `people` (the requester, the employee the case concerns, a filer filing for themselves)
 * or recorded with a person's role, wherever it stands in that case — authors, uploaders, history
 * actors and values, event actors and values, the access log; names of external requesters and
 * free-text reasons; and the stored idempotent answers that repeat a case's body. Rows stay, so
 * reports keep counting.
 *
 * Set-based: ten statements for the whole batch. One case at a time it was ten statements a case,
 * 500 round trips for a batch of 50, and under load (the two-instance soak of 2026-12-02) a batch
 * held its cases and their queued search words for 6–10 s, long enough for the other instance's
 * batch to pass its statement timeout waiting for them. A person is matched within their own case:
 * `people` is sent as "case id, space, subject id" keys (a case id is 36 characters, so a key
 * cannot be read two ways).
 */
export async function scrubCasesParts(q: Query, cases: readonly CaseToScrub[]): Promise<void> {
  if (cases.length === 0) return;
  const ids = cases.map((c) => c.id);
  const keys = cases.flatMap((c) => c.people.map((p) => `${c.id} ${p}`));
  // $1 case ids, $2 the anonymised text, $3 the anonymised id, $4 person keys, $5 person roles.
  const person = (column: string, keysParam = '$4') => `(t.case_id::text || ' ' || ${column}) = ANY(${keysParam}::text[])`;
  const who = (column: string, role: string) => `CASE WHEN ${person(column)} OR ${role} = ANY($5::text[]) THEN $3 ELSE ${column} END`;
  const args = [ids, ANONYMISED, ANONYMISED_ID, keys, PERSON_ROLES];
  await q(
    `UPDATE case_message t SET
       body = $2, author_id = ${who('author_id', 'author_role')},
       on_behalf_of = CASE WHEN on_behalf_of IS NULL THEN NULL ELSE $2 END
     WHERE t.case_id = ANY($1::uuid[])`,
    args,
  );
  await q(
    `UPDATE attachment t SET data = NULL, filename = $2, sha256 = '', uploaded_by_id = ${who('uploaded_by_id', 'uploaded_by_role')}
     WHERE t.case_id = ANY($1::uuid[])`,
    args,
  );
  // History rows stay (statistics need them) but lose the people and free text in them: a code
  // (a status, a team) stays, a person's id (an assignee who is a person of the case) goes.
  await q(
    `UPDATE case_history t SET
       actor_id = ${who('actor_id', 'actor_role')},
       on_behalf_of = CASE WHEN on_behalf_of IS NULL THEN NULL ELSE $2 END,
       from_value = CASE WHEN ${person('from_value')} THEN $3
                         WHEN from_value IS NULL OR field = ANY($6::text[]) THEN from_value ELSE $2 END,
       to_value = CASE WHEN ${person('to_value')} THEN $3
                       WHEN to_value IS NULL OR field = ANY($6::text[]) THEN to_value ELSE $2 END,
       reason = CASE WHEN reason IS NULL OR actor_role = 'system' THEN reason ELSE $2 END
     WHERE t.case_id = ANY($1::uuid[])`,
    [...args, CODE_FIELDS],
  );
  // Events already in the outbox (and so in webhook deliveries, which send them) keep their
  // type and case, not the people in them.
  await q(
    `UPDATE outbox_event t SET payload = jsonb_set(payload, '{actor,id}', to_jsonb($2::text))
      WHERE t.case_id = ANY($1::uuid[]) AND (${person("(payload #>> '{actor,id}')", '$3')} OR payload #>> '{actor,role}' = ANY($4::text[]))`,
    [ids, ANONYMISED_ID, keys, PERSON_ROLES],
  );
  await q(
    `UPDATE outbox_event t SET payload = jsonb_set(payload, '{actor,onBehalfOf}', to_jsonb($2::text))
      WHERE t.case_id = ANY($1::uuid[]) AND jsonb_typeof(payload #> '{actor,onBehalfOf}') = 'string'`,
    args.slice(0, 2),
  );
  // An assignee who is a person of the case (in case.assigned), and free-text reasons.
  await q(
    `UPDATE outbox_event t SET payload = payload
       || CASE WHEN ${person("(payload ->> 'from')")} THEN jsonb_build_object('from', $3::text) ELSE '{}'::jsonb END
       || CASE WHEN ${person("(payload ->> 'to')")} THEN jsonb_build_object('to', $3::text) ELSE '{}'::jsonb END
       || CASE WHEN jsonb_typeof(payload -> 'reason') = 'string' AND payload #>> '{actor,role}' <> 'system'
               THEN jsonb_build_object('reason', $2::text) ELSE '{}'::jsonb END
     WHERE t.case_id = ANY($1::uuid[])`,
    args.slice(0, 4),
  );
  // Who read the case is staff accountability; a person of the case reading their own case is
  // the person again.
  await q(`UPDATE access_log t SET actor_id = $2 WHERE t.case_id = ANY($1::uuid[]) AND ${person('actor_id', '$3')}`, [ids, ANONYMISED_ID, keys]);
  // Mails about the case stay as a record that they were sent, without the address or the text.
  await q(`UPDATE notification_delivery SET recipient = $2 || ' ' || id::text, subject = $2, body = $2 WHERE case_id = ANY($1::uuid[])`, [
    ids,
    ANONYMISED,
  ]);
  // A stored answer to an idempotent request repeats the case as it was: it goes (one pass over
  // the stored answers for the batch, not one a case).
  await q(`DELETE FROM idempotency_key WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) c(id) WHERE strpos(body, c.id) > 0)`, [ids]);
  // An employee number still waiting for its person (issue #13) is personal data of the case too.
  await q(`DELETE FROM requester_match WHERE case_id = ANY($1::uuid[])`, [ids]);
}
