import { caseAccess, type CaseAccessFacts } from '../../../src/domain/access';
import type { Principal, Role, Scope } from '../../../src/domain/roles';
import { internalSearchScope, MAX_SEARCH_WORDS, parseSearch, searchesInternal } from '../../../src/domain/search';
import { listVisibility } from '../../../src/domain/standing';

function who(roles: Role[], scopes: Scope[] = [], teams: string[] = []): Principal {
  return { id: 'me', name: null, roles, teams, employeeNumber: null, scopes };
}

const CALLERS: Principal[] = [
  who(['requester']),
  who(['leader']),
  who(['operator'], [], ['payroll']),
  who(['operator'], [], []),
  who(['admin']),
  who(['integration']),
  who(['integration'], ['cases:read']),
  who(['integration'], ['cases:write']),
  who(['integration'], ['cases:read', 'cases:read:sensitive']),
  who(['integration'], ['cases:read:sensitive']),
  who(['requester'], ['cases:read']),
  who(['requester', 'admin']),
  who(['integration', 'operator'], ['cases:read'], ['payroll']),
];

/** Every combination of the facts access depends on, as seen from the principal 'me'. */
function* cases(): Generator<CaseAccessFacts> {
  for (const requesterId of ['me', 'other', null])
    for (const filedById of ['me', 'other'])
      for (const teamKey of ['payroll', 'absence'])
        for (const sensitive of [false, true])
          for (const concernedId of ['me', 'other', null]) yield { requesterId, filedById, teamKey, sensitive, concernedId };
}

describe('internalSearchScope: whose internal notes a search reads', () => {
  it('is exactly the staff view of caseAccess, for every caller and case', () => {
    for (const p of CALLERS) {
      const scope = internalSearchScope(p);
      for (const c of cases()) {
        const staffView = caseAccess(p, c).view === 'staff';
        expect({ p: p.roles, scopes: p.scopes, c, internal: searchesInternal(scope, c) }).toEqual({
          p: p.roles,
          scopes: p.scopes,
          c,
          internal: staffView,
        });
      }
    }
  });

  it('gives a requester none', () => {
    expect(internalSearchScope(who(['requester']))).toEqual({ internal: false });
    expect(listVisibility(who(['requester']))).toEqual({ kind: 'own', principalId: 'me' });
  });
});

describe('parseSearch', () => {
  it('keeps words, ids and case numbers, and takes the last plain word as a prefix', () => {
    expect(parseSearch('Feriepenger juni')).toEqual({ words: ['feriepenger', 'juni'], prefix: 'juni', caseNumber: null });
    // One or two characters are matched whole (a prefix of them would match most cases).
    expect(parseSearch('ferie ju')).toEqual({ words: ['ferie', 'ju'], prefix: null, caseNumber: null });
    expect(parseSearch('ferie jun')).toMatchObject({ prefix: 'jun' });
    expect(parseSearch('ola@ntnu.no')).toEqual({ words: ['ola@ntnu.no'], prefix: null, caseNumber: null });
    expect(parseSearch('2026-123')).toEqual({ words: ['2026-123'], prefix: null, caseNumber: '2026-000123' });
    expect(parseSearch('sak 2026-000123 ')).toMatchObject({ prefix: null, caseNumber: '2026-000123' });
    // Past 999,999 cases in a year the number grows a digit (filing-writer.ts).
    expect(parseSearch('2026-1000000')).toMatchObject({ caseNumber: '2026-1000000' });
  });

  it('turns tsquery syntax, quotes, backslashes and control characters into separators', () => {
    expect(parseSearch("&|!():*'\\")).toEqual({ words: [], prefix: null, caseNumber: null });
    expect(parseSearch("ferie'penger:*&!(x)")).toEqual({ words: ['ferie', 'penger', 'x'], prefix: null, caseNumber: null });
    expect(parseSearch('a\u0000b')).toEqual({ words: ['a', 'b'], prefix: null, caseNumber: null });
    for (const w of parseSearch("x' | y\\ & z:*").words) expect(w).toMatch(/^[\p{L}\p{N}]+$/u);
  });

  it('uses at most MAX_SEARCH_WORDS words of at most 64 characters', () => {
    const q = parseSearch(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '));
    expect(q.words).toHaveLength(MAX_SEARCH_WORDS);
    expect(parseSearch('x'.repeat(200)).words[0]).toHaveLength(64);
  });
});
