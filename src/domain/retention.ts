import { eventBase, SYSTEM_ACTOR, type CasePlan } from './plan';

/** What replaces personal text. */
export const ANONYMISED = '[anonymised]';
/**
 * What replaces the subject id of a person the case is about. The empty string: no token can
 * carry it (authentication refuses an empty `sub`), so nobody can sign in as "the anonymised
 * person" and find the cases (a readable marker such as `anonymised` was a valid `sub`).
 */
export const ANONYMISED_ID = '';

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
  requesterId: string | null;
  /** The Feide id of the employee a leader's case concerns, if it was given. */
  concernedId: string | null;
  filedById: string;
  filedByRole: string;
  /** Set when an operator registered the case for someone without a login. */
  external: boolean;
  assigneeId: string | null;
}

/**
 * The subject ids that identify the people a case is about: its requester, the employee it
 * concerns, and whoever filed it for themselves (an operator who registered an external
 * requester's case is staff, not a person of the case). Every row of the case that holds one of
 * these, whatever role it was recorded with, loses it at anonymisation.
 */
export function peopleOf(c: Pick<RetainedCase, 'requesterId' | 'concernedId' | 'filedById' | 'external'>): string[] {
  const ids = [c.requesterId, c.concernedId, c.external ? null : c.filedById];
  return [...new Set(ids.filter((id): id is string => id !== null && id !== ''))];
}

/**
 * The case row's part of anonymisation (DOMAIN.md "Privacy"): the requester's identity and addresses, the
 * details, subject and description go; the filer's (and an assignee's) id goes when they are one
 * of the people the case is about; the row records when, by a `system` history row and a `case.anonymised`
 * event. The rows around the case (messages, attachments, history, events) are scrubbed by the
 * retention repository in the same transaction.
 */
export function planAnonymisation(c: RetainedCase, now: Date): CasePlan {
  const people = peopleOf(c);
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
      requesterEmail: null,
      ccEmails: [],
      // Free staff text that may name the person (docs/queues.md).
      tags: [],
      details: {},
      subject: ANONYMISED,
      description: ANONYMISED,
      filedById: PERSON_ROLES.includes(c.filedByRole) || people.includes(c.filedById) ? ANONYMISED_ID : c.filedById,
      // A staff member assigned to a case about themselves.
      ...(c.assigneeId !== null && people.includes(c.assigneeId) ? { assigneeId: null } : {}),
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
