import { eventBase, SYSTEM_ACTOR, type CasePlan } from './plan';

/** What replaces personal text. */
export const ANONYMISED = '[anonymised]';
/** What replaces the subject id of a requester or leader. */
export const ANONYMISED_ID = 'anonymised';

/** History fields whose from/to values are codes or staff ids, not personal text; the rest are scrubbed. */
export const CODE_FIELDS: readonly string[] = ['created', 'status', 'assignee', 'team', 'category', 'message', 'attachment', 'anonymised'];
/** Actor roles that are the people a case is about (staff and the system keep their ids). */
export const PERSON_ROLES: readonly string[] = ['requester', 'leader'];

/** What anonymisation needs to know of a closed case. */
export interface RetainedCase {
  id: string;
  number: string;
  version: number;
  closedAt: Date;
  retentionMonths: number;
  filedById: string;
  filedByRole: string;
}

/**
 * The case row's part of anonymisation (DOMAIN.md "Privacy"): the requester's identity, the
 * details, subject and description go; the filer's id goes when the filer is one of the people
 * the case is about; the row records when, by a `system` history row and a `case.anonymised`
 * event. The rows around the case (messages, attachments, history, events) are scrubbed by the
 * retention repository in the same transaction.
 */
export function planAnonymisation(c: RetainedCase, now: Date): CasePlan {
  return {
    caseId: c.id,
    actor: SYSTEM_ACTOR,
    at: now,
    update: {
      requesterId: null,
      requesterName: null,
      employeeNumber: null,
      externalRequester: null,
      concernsEmployee: null,
      details: {},
      subject: ANONYMISED,
      description: ANONYMISED,
      filedById: PERSON_ROLES.includes(c.filedByRole) ? ANONYMISED_ID : c.filedById,
      anonymisedAt: now,
      updatedAt: now,
    },
    history: [{ field: 'anonymised', reason: 'retention' }],
    events: [
      {
        type: 'case.anonymised',
        caseId: c.id,
        payload: {
          ...eventBase(c, { status: 'CLOSED', version: c.version + 1 }, SYSTEM_ACTOR, now),
          closedAt: c.closedAt.toISOString(),
          retentionMonths: c.retentionMonths,
        },
      },
    ],
    timer: { kind: 'keep' },
  };
}
