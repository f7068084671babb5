import { mayFileCases } from './access';
import { DomainError } from './errors';
import { eventBase, SYSTEM_ACTOR, type CasePlan, type ChangeActor } from './plan';
import { isStaff, primaryRole, type Principal } from './roles';
import type { Status } from './statuses';

export type Channel = 'portal' | 'phone' | 'email' | 'post' | 'api';

/** What a filing request says about who files and for whom. */
export interface FilingRequest {
  channel?: Channel;
  /** The Feide id of the employee an operator files for. */
  requesterId?: string;
  employeeNumber?: string;
  concernsEmployee?: unknown;
  externalRequester?: { name: string } & Record<string, unknown>;
}

/** Who a case is filed by and for, and how it came in. */
export interface Filing {
  channel: Channel;
  requesterId: string | null;
  requesterName: string | null;
  employeeNumber: string | null;
  concernsEmployee: unknown;
  externalRequester: unknown;
  filedById: string;
  actor: ChangeActor;
  /**
   * An employee number no known person holds: the case waits (requesterId null) for the person
   * with this number to sign in or be recorded, and is then tied to them (`planRequesterMatch`).
   */
  pendingEmployeeNumber: string | null;
}

/** What the person directory knows of the employee a filing names (looked up by the caller). */
export interface KnownPerson {
  subject: string;
  name: string | null;
  employeeNumber: string | null;
  /** Their address in the directory: where the case's mails go. */
  email?: string | null;
}

const EXTERNAL_CHANNELS: readonly Channel[] = ['phone', 'email', 'post', 'api'];

/**
 * The rules of filing (DOMAIN.md "Actors", "Intake"): an employee files for themselves through
 * the portal; operators register cases for external requesters (by phone, e-mail, post or API)
 * and choose the channel; only leaders and staff file about an employee; only staff put an
 * employee number other than the caller's own on a case; a client that is only an integration
 * needs `cases:write`. Throws the DomainError of the first rule broken.
 *
 * Staff also file for an employee who phoned, wrote or sent post (issue #13): naming them by
 * Feide id (`requesterId`) or by an employee number other than their own. The employee is then
 * the requester and `filedById` the operator. `known` is the directory's entry for the named
 * employee (by id, else by number), or null; an unknown number leaves the requester open with a
 * pending match. Such a filing comes by phone, email, post or api, never the portal.
 */
export function decideFiling(p: Principal, req: FilingRequest, known: KnownPerson | null = null): Filing {
  if (!mayFileCases(p)) throw new DomainError('forbidden', 'This client may not file cases (it needs the cases:write scope).');
  const staff = isStaff(p);
  const external = req.externalRequester ?? null;
  const forEmployee = filesForEmployee(p, req);
  if (req.requesterId !== undefined && !staff) {
    throw new DomainError('forbidden', 'Only staff file a case for someone else.', {
      errors: [{ in: 'body', path: '/requesterId', message: 'staff only' }],
    });
  }
  if (req.requesterId !== undefined && external) {
    throw new DomainError('validation-failed', 'A case is for an employee (requesterId) or an external requester, not both.', {
      errors: [{ in: 'body', path: '/requesterId', message: 'not with externalRequester' }],
    });
  }
  if (forEmployee) return fileForEmployee(p, req, known);
  let channel: Channel = req.channel ?? (staff ? 'phone' : 'portal');
  if (external) {
    if (!staff) throw new DomainError('forbidden', 'Only operators register cases for external requesters.');
    if (!EXTERNAL_CHANNELS.includes(channel)) {
      throw new DomainError('validation-failed', 'A case for an external requester comes by phone, email, post or api.', {
        errors: [{ in: 'body', path: '/channel', message: 'must be phone, email, post or api' }],
      });
    }
  } else {
    if (req.channel !== undefined && req.channel !== 'portal' && !staff) {
      throw new DomainError('validation-failed', 'Requesters file through the portal.', {
        errors: [{ in: 'body', path: '/channel', message: 'must be portal' }],
      });
    }
    if (!staff) channel = 'portal';
  }
  if (req.concernsEmployee && !p.roles.includes('leader') && !staff) {
    throw new DomainError('forbidden', 'Only leaders (or operators) file cases about an employee.');
  }
  // A requester's case carries the employee number of their own token: putting someone else's
  // number on it would file it under (and show it to searches for) another employee.
  if (!staff && req.employeeNumber !== undefined && req.employeeNumber !== p.employeeNumber) {
    throw new DomainError('forbidden', 'Your case carries the employee number of your login; only staff set another.', {
      errors: [{ in: 'body', path: '/employeeNumber', message: 'must be your own employee number' }],
    });
  }
  return {
    channel,
    requesterId: external ? null : p.id,
    requesterName: external ? external.name : p.name,
    employeeNumber: req.employeeNumber ?? (external ? null : p.employeeNumber),
    concernsEmployee: req.concernsEmployee ?? null,
    externalRequester: external,
    filedById: p.id,
    actor: { id: p.id, role: primaryRole(p), onBehalfOf: external ? external.name : null },
    pendingEmployeeNumber: null,
  };
}

/** Whether staff name someone other than themselves as the requester (by id or employee number). */
function filesForEmployee(p: Principal, req: FilingRequest): boolean {
  if (!isStaff(p) || req.externalRequester) return false;
  if (req.requesterId !== undefined) return req.requesterId !== p.id;
  return req.employeeNumber !== undefined && req.employeeNumber !== p.employeeNumber;
}

function fileForEmployee(p: Principal, req: FilingRequest, known: KnownPerson | null): Filing {
  const channel = req.channel ?? 'phone';
  if (!EXTERNAL_CHANNELS.includes(channel)) {
    throw new DomainError('validation-failed', 'A case filed for an employee comes by phone, email, post or api.', {
      errors: [{ in: 'body', path: '/channel', message: 'must be phone, email, post or api' }],
    });
  }
  // The directory and the request must name the same person: a number that belongs to someone
  // else would show the case to them.
  if (req.requesterId !== undefined && req.employeeNumber !== undefined && known?.employeeNumber && known.employeeNumber !== req.employeeNumber) {
    throw new DomainError('validation-failed', `Employee number ${req.employeeNumber} is not the one recorded for ${req.requesterId}.`, {
      errors: [{ in: 'body', path: '/employeeNumber', message: 'does not match the requester' }],
    });
  }
  const requesterId = req.requesterId ?? known?.subject ?? null;
  const employeeNumber = req.employeeNumber ?? known?.employeeNumber ?? null;
  return {
    channel,
    requesterId,
    requesterName: known?.name ?? null,
    employeeNumber,
    concernsEmployee: req.concernsEmployee ?? null,
    externalRequester: null,
    filedById: p.id,
    actor: { id: p.id, role: primaryRole(p), onBehalfOf: null },
    pendingEmployeeNumber: requesterId === null ? employeeNumber : null,
  };
}

/**
 * Ties a case that waited for the person with its employee number (`pendingEmployeeNumber`) to
 * that person, by the system: the requester id (and name, if none was recorded), a `requester`
 * history row and a `case.updated` event naming the field. The case keeps its status.
 */
export function planRequesterMatch(
  c: { id: string; number: string; status: Status; version: number; requesterName: string | null },
  person: { subject: string; name: string | null },
  now: Date,
): CasePlan {
  return {
    caseId: c.id,
    actor: SYSTEM_ACTOR,
    at: now,
    update: { requesterId: person.subject, ...(c.requesterName === null ? { requesterName: person.name } : {}), updatedAt: now },
    history: [{ field: 'requester', from: null, to: person.subject }],
    events: [
      {
        type: 'case.updated',
        caseId: c.id,
        payload: { ...eventBase(c, { status: c.status, version: c.version + 1 }, SYSTEM_ACTOR, now), fields: ['requester'] },
      },
    ],
    timer: { kind: 'keep' },
  };
}

/**
 * The effects of filing, besides inserting the row: the `created` history row and the
 * `case.created` event (status REGISTERED, version 1).
 */
export function planFiling(
  c: { id: string; number: string; categoryKey: string; teamKey: string; channel: Channel },
  actor: ChangeActor,
  now: Date,
): CasePlan {
  return {
    caseId: c.id,
    actor,
    at: now,
    update: null,
    history: [{ field: 'created', to: 'REGISTERED' }],
    events: [
      {
        type: 'case.created',
        caseId: c.id,
        payload: {
          ...eventBase(c, { status: 'REGISTERED', version: 1 }, actor, now),
          categoryKey: c.categoryKey,
          teamKey: c.teamKey,
          channel: c.channel,
        },
      },
    ],
    timer: { kind: 'keep' },
  };
}
