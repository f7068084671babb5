import { ROLES, type Principal, type Role } from './roles';

/** What access rules need to know about a case. */
export interface CaseAccessFacts {
  requesterId: string | null;
  filedById: string;
  teamKey: string;
  sensitive: boolean;
  /** The Feide id of the employee a leader's case concerns, if given. */
  concernedId?: string | null;
}

/**
 * How the principal sees a case:
 * - `staff`: handles it (operator of a team that may see it, admin, integration with a read
 *   scope); sees internal notes and internal history; `write` says whether they may change it.
 * - `requester`: filed it, or it was filed for them (a leader sees what they filed about their
 *   employees); sees public content only.
 * - `none`: the case does not exist for them (answered 404, never 403, so existence leaks not).
 */
export type CaseAccess = { view: 'staff'; write: boolean } | { view: 'requester'; write: true } | { view: 'none' };

/**
 * Decides the principal's access to a case (DOMAIN.md "Privacy"). Sensitive categories are
 * visible only to operators of the owning team, admins, and integrations granted
 * `cases:read:sensitive`.
 */
export function caseAccess(p: Principal, c: CaseAccessFacts): CaseAccess {
  const staff = staffAccess(p, c);
  // Staff who are the requester of a case, or the employee it concerns, are people of the case
  // on it: the requester view (no internal notes about them) and requester moves only.
  if (staff && isPersonOfCase(p, c)) return { view: 'requester', write: true };
  if (staff) return staff;
  if (c.requesterId === p.id || c.filedById === p.id) return { view: 'requester', write: true };
  return { view: 'none' };
}

function staffAccess(p: Principal, c: CaseAccessFacts): Extract<CaseAccess, { view: 'staff' }> | null {
  if (p.roles.includes('admin')) return { view: 'staff', write: true };
  if (p.roles.includes('operator') && (!c.sensitive || p.teams.includes(c.teamKey))) {
    return { view: 'staff', write: true };
  }
  if (p.roles.includes('integration')) {
    const read = p.scopes.includes('cases:read') || p.scopes.includes('cases:write');
    const sensitiveOk = !c.sensitive || p.scopes.includes('cases:read:sensitive');
    if (read && sensitiveOk) return { view: 'staff', write: p.scopes.includes('cases:write') };
  }
  return null;
}

/**
 * Whether a person (not a client acting as an integration only) is the requester of the case or
 * the employee it concerns. An integration that files a case is its requester technically, but
 * handles it as staff.
 */
function isPersonOfCase(p: Principal, c: CaseAccessFacts): boolean {
  if (p.roles.includes('integration')) return false;
  return c.requesterId === p.id || (c.concernedId != null && c.concernedId === p.id);
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

/** What one access level of an operation means; see `ACCESS_LEVELS`. */
export interface AccessLevel {
  /** Whether a bearer token is needed: without one the caller is answered 401. */
  token: boolean;
  /** The 403 detail for an authenticated caller refused here; null when no one with a token is refused. */
  refusal: string | null;
  /** Whether the authenticated principal may call the operation. */
  allows(p: Principal): boolean;
}

/**
 * Who may call an operation at all, one entry per level a route can declare (`config.access`).
 * Only route-level admission lives here; what a caller may do with a particular case is
 * `caseAccess`. The HTTP layer derives the OpenAPI security and the 401/403 responses of each
 * operation from the same entry, so the contract cannot drift from the rule.
 * - `public`: anyone, without a token (service information).
 * - `authenticated`: any verified caller; the use case decides the rest (per case, per body).
 * - `staff`: staff who handle cases (operators, admins) and integrations granted `cases:read` or
 *   `cases:write`; narrower than `isStaff`, which is about changing cases.
 * - `admin`: administrators, and integrations granted the `admin` scope.
 * - `mail-gateway`: integrations granted `mail:inbound` (the centre's mail gateway), only.
 */
export const ACCESS_LEVELS = {
  public: { token: false, refusal: null, allows: () => true },
  authenticated: { token: true, refusal: null, allows: () => true },
  staff: {
    token: true,
    refusal: 'Staff only: operators, administrators and integrations granted cases:read or cases:write.',
    allows: (p) =>
      p.roles.includes('admin') ||
      p.roles.includes('operator') ||
      (p.roles.includes('integration') && (p.scopes.includes('cases:read') || p.scopes.includes('cases:write'))),
  },
  admin: {
    token: true,
    refusal: 'Administrators only.',
    allows: (p) => p.roles.includes('admin') || (p.roles.includes('integration') && p.scopes.includes('admin')),
  },
  /**
   * A person holding the admin role: managing who is staff. A client holding only the `admin`
   * scope could otherwise grant itself (or another client) the admin role and with it every
   * sensitive case.
   */
  'admin-person': {
    token: true,
    refusal: 'Administrators only, signed in as a person: clients cannot manage staff.',
    allows: (p) => p.roles.includes('admin') && !p.roles.includes('integration'),
  },
  /**
   * The centre's mail gateway posting raw mail. Not admins: a message filed through it speaks
   * for whoever its From names, so only the client trusted to relay received mail may post one.
   */
  'mail-gateway': {
    token: true,
    refusal: 'Mail gateway only: integrations granted mail:inbound.',
    allows: (p) => p.roles.includes('integration') && p.scopes.includes('mail:inbound'),
  },
} as const satisfies Record<string, AccessLevel>;

/** The access a route declares: who may call it at all. */
export type RouteAccess = keyof typeof ACCESS_LEVELS;

/**
 * Whether a value names an access level. Route options are plain objects at run time, so the
 * startup check cannot rely on the compiler alone.
 */
export function isRouteAccess(value: unknown): value is RouteAccess {
  return typeof value === 'string' && Object.hasOwn(ACCESS_LEVELS, value);
}

/**
 * Whether an authenticated principal may call an operation declared with `access`. Callers
 * without a token never reach this: authentication answers them 401 first (except `public`).
 */
export function mayCall(p: Principal, access: RouteAccess): boolean {
  return ACCESS_LEVELS[access].allows(p);
}

/** A staff directory entry: who someone is and the roles and teams they hold. */
export interface DirectoryEntry {
  subject: string;
  name: string | null;
  roles: readonly string[];
  teams: readonly string[];
}

/**
 * Whether the person of a directory entry could handle a case (DOMAIN.md: "Assignees are
 * operators who may see the case"): the same rule as for a caller (caseAccess), for a principal
 * built from the entry. Clients (integrations) are never assignees.
 */
export function mayBeAssigned(entry: DirectoryEntry, c: CaseAccessFacts): boolean {
  const assignee: Principal = {
    id: entry.subject,
    name: entry.name,
    roles: entry.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r) && r !== 'integration'),
    teams: entry.teams,
    employeeNumber: null,
    scopes: [],
  };
  const access = caseAccess(assignee, c);
  return access.view === 'staff' && access.write;
}
