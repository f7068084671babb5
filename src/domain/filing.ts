import { mayFileCases } from './access';
import { DomainError } from './errors';
import { eventBase, type CasePlan, type ChangeActor } from './plan';
import { isStaff, primaryRole, type Principal } from './roles';

export type Channel = 'portal' | 'phone' | 'email' | 'post' | 'api';

/** What a filing request says about who files and for whom. */
export interface FilingRequest {
  channel?: Channel;
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
}

const EXTERNAL_CHANNELS: readonly Channel[] = ['phone', 'email', 'post', 'api'];

/**
 * The rules of filing (DOMAIN.md "Actors", "Intake"): an employee files for themselves through
 * the portal; operators register cases for external requesters (by phone, e-mail, post or API)
 * and choose the channel; only leaders and staff file about an employee; only staff put an
 * employee number other than the caller's own on a case; a client that is only an integration
 * needs `cases:write`. Throws the DomainError of the first rule broken.
 */
export function decideFiling(p: Principal, req: FilingRequest): Filing {
  if (!mayFileCases(p)) throw new DomainError('forbidden', 'This client may not file cases (it needs the cases:write scope).');
  const staff = isStaff(p);
  const external = req.externalRequester ?? null;
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
