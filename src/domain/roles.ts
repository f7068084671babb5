/**
 * Roles of callers. A person may hold several; the service picks the strongest that applies.
 * `system` is the service itself (timers) and never comes from a token.
 */
export const ROLES = ['requester', 'leader', 'operator', 'admin', 'integration'] as const;
export type Role = (typeof ROLES)[number];
export type ActorRole = Role | 'system';

/** Scopes an integration client may be granted; `mail:inbound` is the centre's mail gateway (POST /v1/inbound-mail). */
export const SCOPES = ['cases:read', 'cases:write', 'cases:read:sensitive', 'admin', 'mail:inbound'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling, as established by authentication. Pure data: no token, no request. */
export interface Principal {
  /** Stable subject id (Feide user id, or client id for integrations). */
  id: string;
  name: string | null;
  roles: readonly Role[];
  /** Teams the person handles cases for (operators). */
  teams: readonly string[];
  employeeNumber: string | null;
  scopes: readonly Scope[];
  /** The token's `email` claim: where notifications about the person's own cases go. */
  email?: string | null;
  /** The token's `locale` claim (e.g. nb-NO, en): the language of those mails. */
  locale?: string | null;
}

/** Whether the principal acts as staff of the service centre (handles cases). */
export function isStaff(p: Principal): boolean {
  return p.roles.includes('admin') || p.roles.includes('operator') || (p.roles.includes('integration') && p.scopes.includes('cases:write'));
}

/** The role recorded in history for the principal's action. */
export function primaryRole(p: Principal): Role {
  for (const r of ['admin', 'operator', 'integration', 'leader', 'requester'] as const) {
    if (p.roles.includes(r)) return r;
  }
  return 'requester';
}
