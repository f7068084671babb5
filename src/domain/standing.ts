import { caseAccess, type CaseAccess, type CaseAccessFacts } from './access';
import type { Actor } from './decide';
import { DomainError } from './errors';
import type { ChangeActor } from './plan';
import { primaryRole, type Principal } from './roles';

/** The principal's standing on one case: how they see it and how the graph sees them. */
export interface Standing {
  access: Exclude<CaseAccess, { view: 'none' }>;
  /** How the graph sees the caller on this case, or null when they may read but not act. */
  as: Actor['as'] | null;
}

/** The standing of a principal on a case; `not-found` (404) when the case does not exist for them. */
export function standingOn(p: Principal, c: CaseAccessFacts | null): Standing {
  const access = c ? caseAccess(p, c) : ({ view: 'none' } as const);
  if (access.view === 'none') throw new DomainError('not-found', 'No such case.');
  const as = access.view === 'staff' ? (access.write ? 'operator' : null) : 'requester';
  return { access, as };
}

/**
 * Who acts in a change, for decide() and for the record. An operator may act on behalf of the
 * case's external requester (someone without a login who phoned or wrote): the graph then sees a
 * requester, and history names the operator with `onBehalfOf` the requester's name.
 */
export function actingAs(
  p: Principal,
  standing: Standing,
  onBehalfOfRequester: boolean,
  externalRequester: { name?: unknown } | null,
): { actor: Actor; changeActor: ChangeActor } {
  let as = standing.as;
  let onBehalfOf: string | null = null;
  if (onBehalfOfRequester) {
    if (as !== 'operator') throw new DomainError('forbidden', 'Only staff act on behalf of a requester.');
    if (typeof externalRequester?.name !== 'string' || externalRequester.name === '') {
      throw new DomainError('validation-failed', 'The case has no external requester to act for.', {
        errors: [{ in: 'body', path: '/onBehalfOfRequester', message: 'case has no external requester' }],
      });
    }
    as = 'requester';
    onBehalfOf = externalRequester.name;
  }
  if (as === null) throw new DomainError('forbidden', 'You may read this case but not change it.');
  return { actor: { id: p.id, as }, changeActor: { id: p.id, role: primaryRole(p), onBehalfOf } };
}

/** Who may see what in a listing: the set form of caseAccess, for a `WHERE`. */
export type Visibility =
  { kind: 'all' } | { kind: 'own'; principalId: string } | { kind: 'own-or-open'; principalId: string; teams: readonly string[] };

/** The cases a principal may list (the per-case rule is caseAccess in src/domain/access.ts). */
export function listVisibility(p: Principal): Visibility {
  if (p.roles.includes('admin')) return { kind: 'all' };
  if (p.roles.includes('operator')) return { kind: 'own-or-open', principalId: p.id, teams: p.teams };
  if (p.roles.includes('integration') && (p.scopes.includes('cases:read') || p.scopes.includes('cases:write'))) {
    return p.scopes.includes('cases:read:sensitive') ? { kind: 'all' } : { kind: 'own-or-open', principalId: p.id, teams: [] };
  }
  return { kind: 'own', principalId: p.id };
}
