import { ACCESS_LEVELS, isRouteAccess, mayCall, type RouteAccess } from '../../../src/domain/access';
import { ROLES, SCOPES, type Principal, type Role, type Scope } from '../../../src/domain/roles';

function who(roles: Role[], scopes: Scope[] = [], teams: string[] = []): Principal {
  return { id: 'x', name: null, roles, teams, employeeNumber: null, scopes };
}

/** Callers, one per line of the table below. */
const CALLERS = {
  requester: who(['requester']),
  leader: who(['leader']),
  operator: who(['operator'], [], ['payroll']),
  admin: who(['admin']),
  'integration (no scope)': who(['integration']),
  'integration cases:read': who(['integration'], ['cases:read']),
  'integration cases:write': who(['integration'], ['cases:write']),
  'integration cases:read:sensitive only': who(['integration'], ['cases:read:sensitive']),
  'integration admin': who(['integration'], ['admin']),
  'integration mail:inbound': who(['integration'], ['mail:inbound']),
  // Scopes count only for integrations: a person's token may carry some, and they grant nothing.
  'requester with the admin scope': who(['requester'], ['admin']),
  'operator with the admin scope': who(['operator'], ['admin']),
  'leader with cases:read': who(['leader'], ['cases:read']),
  'requester and admin': who(['requester', 'admin']),
} satisfies Record<string, Principal>;

const LEVELS: RouteAccess[] = ['public', 'authenticated', 'staff', 'admin', 'admin-person', 'mail-gateway'];
/** Whether each caller may call an operation of each level, in LEVELS order. */
const TABLE: Record<keyof typeof CALLERS, [boolean, boolean, boolean, boolean, boolean, boolean]> = {
  //                                          public authenticated staff  admin  admin-person mail-gateway
  requester: [true, true, false, false, false, false],
  leader: [true, true, false, false, false, false],
  operator: [true, true, true, false, false, false],
  admin: [true, true, true, true, true, false],
  'integration (no scope)': [true, true, false, false, false, false],
  'integration cases:read': [true, true, true, false, false, false],
  'integration cases:write': [true, true, true, false, false, false],
  'integration cases:read:sensitive only': [true, true, false, false, false, false],
  'integration admin': [true, true, false, true, false, false],
  'integration mail:inbound': [true, true, false, false, false, true],
  'requester with the admin scope': [true, true, false, false, false, false],
  'operator with the admin scope': [true, true, true, false, false, false],
  'leader with cases:read': [true, true, false, false, false, false],
  'requester and admin': [true, true, true, true, true, false],
};

describe('mayCall(): who may call an operation of each access level', () => {
  const cells = Object.entries(TABLE).flatMap(([caller, row]) =>
    LEVELS.map((level, i) => ({ caller: caller as keyof typeof CALLERS, level, allowed: row[i]! })),
  );
  it.each(cells)('$caller → $level: $allowed', ({ caller, level, allowed }) => {
    expect(mayCall(CALLERS[caller], level)).toBe(allowed);
  });

  it('has a row for every level the vocabulary knows', () => {
    expect(Object.keys(ACCESS_LEVELS).sort()).toEqual([...LEVELS].sort());
  });

  // The rules the route handlers checked by hand before access was declared, kept as the oracle.
  const wasAdmin = (p: Principal) => p.roles.includes('admin') || (p.roles.includes('integration') && p.scopes.includes('admin'));
  const wasFeedReader = (p: Principal) =>
    p.roles.includes('admin') ||
    p.roles.includes('operator') ||
    (p.roles.includes('integration') && (p.scopes.includes('cases:read') || p.scopes.includes('cases:write')));
  const subsets = <T>(xs: readonly T[]): T[][] => xs.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]);

  it('admits exactly whom the hand-written checks admitted, for every set of roles and scopes', () => {
    for (const roles of subsets(ROLES)) {
      for (const scopes of subsets(SCOPES)) {
        const p = who(roles, scopes);
        expect({ roles, scopes, admin: mayCall(p, 'admin'), staff: mayCall(p, 'staff') }).toEqual({
          roles,
          scopes,
          admin: wasAdmin(p),
          staff: wasFeedReader(p),
        });
        expect(mayCall(p, 'authenticated') && mayCall(p, 'public')).toBe(true);
      }
    }
  });

  it('says which levels need a token and which may refuse one (401, 403)', () => {
    expect(LEVELS.map((l) => [l, ACCESS_LEVELS[l].token, ACCESS_LEVELS[l].refusal !== null])).toEqual([
      ['public', false, false],
      ['authenticated', true, false],
      ['staff', true, true],
      ['admin', true, true],
      ['admin-person', true, true],
      ['mail-gateway', true, true],
    ]);
  });
});

describe('isRouteAccess()', () => {
  it.each([
    ['admin', true],
    ['public', true],
    ['admn', false],
    ['toString', false],
    [undefined, false],
    [{ anyRole: ['admin'] }, false],
  ])('%p → %p', (value, expected) => {
    expect(isRouteAccess(value)).toBe(expected);
  });
});
