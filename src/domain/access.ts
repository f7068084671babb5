import type { Principal } from './roles';

/** What access rules need to know about a case. */
export interface CaseAccessFacts {
  requesterId: string | null;
  filedById: string;
  teamKey: string;
  sensitive: boolean;
}

/**
 * How the principal sees a case:
 * - `staff`: handles it (operator of a team that may see it, admin, integration with a read
 *   scope); sees internal notes and internal history; `write` says whether they may change it.
 * - `requester`: filed it, or it was filed for them (a leader sees what they filed about their
 *   employees); sees public content only.
 * - `none`: the case does not exist for them (answered 404, never 403, so existence leaks not).
 */
export type CaseAccess =
  | { view: 'staff'; write: boolean }
  | { view: 'requester'; write: true }
  | { view: 'none' };

/**
 * Decides the principal's access to a case (DOMAIN.md "Privacy"). Sensitive categories are
 * visible only to operators of the owning team, admins, and integrations granted
 * `cases:read:sensitive`.
 */
export function caseAccess(p: Principal, c: CaseAccessFacts): CaseAccess {
  if (p.roles.includes('admin')) return { view: 'staff', write: true };
  if (p.roles.includes('operator') && (!c.sensitive || p.teams.includes(c.teamKey))) {
    return { view: 'staff', write: true };
  }
  if (p.roles.includes('integration')) {
    const read = p.scopes.includes('cases:read') || p.scopes.includes('cases:write');
    const sensitiveOk = !c.sensitive || p.scopes.includes('cases:read:sensitive');
    if (read && sensitiveOk) return { view: 'staff', write: p.scopes.includes('cases:write') };
  }
  if (c.requesterId === p.id || c.filedById === p.id) return { view: 'requester', write: true };
  return { view: 'none' };
}

/**
 * Whether the principal may file cases. Every person may (an employee files their own); a
 * client that is only an integration needs `cases:write`, since a read grant must not write.
 */
export function mayFileCases(p: Principal): boolean {
  const person = p.roles.some((r) => r === 'admin' || r === 'operator' || r === 'leader');
  if (p.roles.includes('integration') && !person) return p.scopes.includes('cases:write');
  return true;
}
