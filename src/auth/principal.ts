import type { JWTPayload } from 'jose';
import { ROLES, SCOPES, type Principal, type Role, type Scope } from '../domain/roles';

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/**
 * Maps verified token claims to a Principal. Roles and teams come from configurable claims;
 * anyone authenticated is at least a requester (an employee filing their own cases).
 */
export function principalFromClaims(claims: JWTPayload, opts: { rolesClaim: string; teamsClaim: string }): Principal {
  const roles = list(claims[opts.rolesClaim]).filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  const scopes = [...list(claims.scope), ...list(claims.scp)].filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  const name = typeof claims.name === 'string' ? claims.name : null;
  const employeeNumber = typeof claims.employee_number === 'string' ? claims.employee_number : null;
  return {
    id: String(claims.sub),
    name,
    roles: roles.length > 0 ? roles : ['requester'],
    teams: list(claims[opts.teamsClaim]),
    employeeNumber,
    scopes,
    email: typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : null,
    locale: typeof claims.locale === 'string' ? claims.locale : null,
  };
}

/**
 * The principal under ROLE_SOURCE=database: the token proves who it is; roles and teams come
 * from the service's staff table (`entry`, null when the subject has no row). Token role claims
 * are ignored; everyone authenticated stays a requester. `bootstrapAdmin` marks a subject listed
 * in BOOTSTRAP_ADMINS, so the first admin can create the first rows.
 */
export function principalWithStaffEntry(
  fromToken: Principal,
  entry: { roles: readonly string[]; teams: readonly string[] } | null,
  bootstrapAdmin: boolean,
): Principal {
  const roles = new Set<Role>(['requester']);
  for (const r of entry?.roles ?? []) if ((ROLES as readonly string[]).includes(r)) roles.add(r as Role);
  if (bootstrapAdmin) roles.add('admin');
  return { ...fromToken, roles: [...roles], teams: [...(entry?.teams ?? [])] };
}
