import { principalFromClaims, principalWithStaffEntry } from '../../../src/auth/principal';
import { caseAccess, mayFileCases } from '../../../src/domain/access';
import type { Principal } from '../../../src/domain/roles';

const opts = { rolesClaim: 'roles', teamsClaim: 'teams' };

describe('principalFromClaims', () => {
  it('makes anyone without known roles a requester', () => {
    expect(principalFromClaims({ sub: 'ola', roles: ['superuser'] }, opts).roles).toEqual(['requester']);
  });

  it('reads roles and teams from the configured claims, as arrays or strings', () => {
    const p = principalFromClaims(
      { sub: 'kari', 'https://uni.no/roles': 'operator leader', groups: ['absence', 'payroll'], roles: ['admin'] },
      { rolesClaim: 'https://uni.no/roles', teamsClaim: 'groups' },
    );
    expect(p).toMatchObject({ id: 'kari', roles: ['operator', 'leader'], teams: ['absence', 'payroll'] });
  });

  it('keeps only known scopes, from scope or scp', () => {
    const p = principalFromClaims({ sub: 'c', roles: ['integration'], scope: 'openid cases:read', scp: ['cases:write', 'x'] }, opts);
    expect(p.scopes).toEqual(['cases:read', 'cases:write']);
  });
});

describe('principalWithStaffEntry (ROLE_SOURCE=database)', () => {
  const fromToken: Principal = { id: 'kari', name: 'Kari', roles: ['admin'], teams: ['absence'], employeeNumber: null, scopes: ['cases:read'] };

  it('drops token roles and teams when the subject has no row', () => {
    expect(principalWithStaffEntry(fromToken, null, false)).toMatchObject({ roles: ['requester'], teams: [], scopes: ['cases:read'] });
  });

  it('takes roles and teams from the row, ignoring unknown role names', () => {
    const p = principalWithStaffEntry(fromToken, { roles: ['operator', 'root'], teams: ['payroll'] }, false);
    expect(p).toMatchObject({ id: 'kari', name: 'Kari', roles: ['requester', 'operator'], teams: ['payroll'] });
  });

  it('makes a bootstrap admin an admin without a row', () => {
    expect(principalWithStaffEntry(fromToken, null, true).roles).toEqual(['requester', 'admin']);
  });
});

describe('mayFileCases', () => {
  const p = (roles: Principal['roles'], scopes: Principal['scopes'] = []): Principal => ({
    id: 'x',
    name: null,
    roles,
    teams: [],
    employeeNumber: null,
    scopes,
  });
  it.each([
    [['requester'], [], true],
    [['leader'], [], true],
    [['integration'], ['cases:read'], false],
    [['integration'], ['cases:read', 'cases:read:sensitive'], false],
    [['integration'], ['cases:write'], true],
    [['requester', 'integration'], ['cases:read'], false],
    [['operator', 'integration'], [], true],
  ] as const)('%j with %j: %s', (roles, scopes, expected) => {
    expect(mayFileCases(p(roles, scopes))).toBe(expected);
  });
});

describe('caseAccess for sensitive cases', () => {
  const sick = { requesterId: 'ola', filedById: 'ola', teamKey: 'absence', sensitive: true };
  const p = (roles: Principal['roles'], teams: string[] = [], scopes: Principal['scopes'] = []): Principal => ({
    id: 'x',
    name: null,
    roles,
    teams,
    employeeNumber: null,
    scopes,
  });
  it.each([
    ['operator of the owning team', p(['operator'], ['absence']), 'staff'],
    ['operator of another team', p(['operator'], ['payroll']), 'none'],
    ['admin', p(['admin']), 'staff'],
    ['integration with cases:read', p(['integration'], [], ['cases:read']), 'none'],
    ['integration with cases:read:sensitive only', p(['integration'], [], ['cases:read:sensitive']), 'none'],
    ['integration with cases:read and cases:read:sensitive', p(['integration'], [], ['cases:read', 'cases:read:sensitive']), 'staff'],
    ['leader', p(['leader']), 'none'],
  ])('%s sees it as %s', (_who, principal, view) => {
    expect(caseAccess(principal, sick).view).toBe(view);
  });
});
