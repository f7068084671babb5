import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';

type Tx = Prisma.TransactionClient;

/** What replaces personal text. */
export const ANONYMISED = '[anonymised]';
/** What replaces the subject id of a requester or leader. */
export const ANONYMISED_ID = 'anonymised';

/** History fields whose from/to values are codes or staff ids, not personal text; the rest are scrubbed. */
const CODE_FIELDS = ['created', 'status', 'assignee', 'team', 'category', 'message', 'attachment', 'anonymised'];
/** Actor roles that are the people a case is about (staff and the system keep their ids). */
const PERSON_ROLES = ['requester', 'leader'];

/**
 * Retention (DOMAIN.md "Privacy"): a case closed longer ago than its category's retention_months
 * loses its personal data: requester identity, message bodies, attachment contents, details,
 * subject and description. The case row, its status history and message/attachment counts stay,
 * so reports keep counting it. Each anonymisation records itself (anonymised_at, a history row
 * by `system`, an outbox event `case.anonymised`).
 *
 * Any number of instances may run at once: a batch locks its cases with SKIP LOCKED and skips
 * those already anonymised, so each case is anonymised once.
 */
export class RetentionService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'TIMEZONE' | 'RETENTION_BATCH_SIZE'>,
  ) {}

  /** Anonymises every closed case whose retention ended at `asOf` (now by default); answers how many. */
  async run(asOf: Date = this.clock.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.$transaction((tx) => this.runBatch(tx, asOf));
      total += n;
      if (n < this.config.RETENTION_BATCH_SIZE) return total;
    }
  }

  private async runBatch(tx: Tx, asOf: Date): Promise<number> {
    const tz = this.config.TIMEZONE;
    // Months are calendar months in the service's time zone: closed 2023-03-15 with 24 months
    // expires 2025-03-15 00:00 Oslo time whatever the DST offset.
    const due = await tx.$queryRaw<Array<{ id: string; number: string; version: number; closed_at: Date; retention_months: number }>>`
      SELECT c.id, c.number, c.version, c.closed_at, cat.retention_months
      FROM "case" c JOIN category cat ON cat.key = c.category_key
      WHERE c.status = 'CLOSED' AND c.anonymised_at IS NULL AND c.closed_at IS NOT NULL
        AND ((c.closed_at AT TIME ZONE ${tz}) + make_interval(months => cat.retention_months)) AT TIME ZONE ${tz} <= ${asOf}
      ORDER BY c.closed_at, c.id
      LIMIT ${this.config.RETENTION_BATCH_SIZE}
      FOR UPDATE OF c SKIP LOCKED`;
    for (const c of due) await this.anonymise(tx, c, asOf);
    return due.length;
  }

  private async anonymise(
    tx: Tx,
    c: { id: string; number: string; version: number; closed_at: Date; retention_months: number },
    now: Date,
  ): Promise<void> {
    await tx.$executeRaw`
      UPDATE "case" SET
        requester_id = NULL, requester_name = NULL, employee_number = NULL,
        external_requester = NULL, concerns_employee = NULL, details = '{}'::jsonb,
        subject = ${ANONYMISED}, description = ${ANONYMISED},
        filed_by_id = CASE WHEN filed_by_role = ANY(${PERSON_ROLES}) THEN ${ANONYMISED_ID} ELSE filed_by_id END,
        anonymised_at = ${now}, updated_at = ${now}, version = version + 1
      WHERE id = ${c.id}::uuid`;
    await tx.$executeRaw`
      UPDATE case_message SET
        body = ${ANONYMISED},
        author_id = CASE WHEN author_role = ANY(${PERSON_ROLES}) THEN ${ANONYMISED_ID} ELSE author_id END,
        on_behalf_of = CASE WHEN on_behalf_of IS NULL THEN NULL ELSE ${ANONYMISED} END
      WHERE case_id = ${c.id}::uuid`;
    await tx.$executeRaw`
      UPDATE attachment SET
        data = NULL, filename = ${ANONYMISED}, sha256 = '',
        uploaded_by_id = CASE WHEN uploaded_by_role = ANY(${PERSON_ROLES}) THEN ${ANONYMISED_ID} ELSE uploaded_by_id END
      WHERE case_id = ${c.id}::uuid`;
    // History rows stay (statistics need them) but lose the people and free text in them.
    await tx.$executeRaw`
      UPDATE case_history SET
        actor_id = CASE WHEN actor_role = ANY(${PERSON_ROLES}) THEN ${ANONYMISED_ID} ELSE actor_id END,
        on_behalf_of = CASE WHEN on_behalf_of IS NULL THEN NULL ELSE ${ANONYMISED} END,
        from_value = CASE WHEN from_value IS NULL OR field = ANY(${CODE_FIELDS}) THEN from_value ELSE ${ANONYMISED} END,
        to_value = CASE WHEN to_value IS NULL OR field = ANY(${CODE_FIELDS}) THEN to_value ELSE ${ANONYMISED} END,
        reason = CASE WHEN reason IS NULL OR actor_role = 'system' THEN reason ELSE ${ANONYMISED} END
      WHERE case_id = ${c.id}::uuid`;
    // Events already in the outbox name the requester as actor and may carry free-text reasons;
    // the feed keeps the events, not the people in them.
    await tx.$executeRaw`
      UPDATE outbox_event SET payload = jsonb_set(payload, '{actor,id}', to_jsonb(${ANONYMISED_ID}::text))
      WHERE case_id = ${c.id}::uuid AND payload #>> '{actor,role}' = ANY(${PERSON_ROLES})`;
    await tx.$executeRaw`
      UPDATE outbox_event SET payload = jsonb_set(payload, '{actor,onBehalfOf}', to_jsonb(${ANONYMISED}::text))
      WHERE case_id = ${c.id}::uuid AND jsonb_typeof(payload #> '{actor,onBehalfOf}') = 'string'`;
    await tx.$executeRaw`
      UPDATE outbox_event SET payload = jsonb_set(payload, '{reason}', to_jsonb(${ANONYMISED}::text))
      WHERE case_id = ${c.id}::uuid AND jsonb_typeof(payload -> 'reason') = 'string' AND payload #>> '{actor,role}' <> 'system'`;
    await tx.caseHistory.create({
      data: { caseId: c.id, at: now, actorId: 'system', actorRole: 'system', field: 'anonymised', reason: 'retention' },
    });
    await tx.outboxEvent.create({
      data: {
        type: 'case.anonymised',
        caseId: c.id,
        payload: {
          caseId: c.id,
          number: c.number,
          status: 'CLOSED',
          version: c.version + 1,
          actor: { id: 'system', role: 'system', onBehalfOf: null },
          at: now.toISOString(),
          closedAt: c.closed_at.toISOString(),
          retentionMonths: c.retention_months,
        },
        createdAt: now,
      },
    });
  }
}
