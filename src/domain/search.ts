/**
 * Case search (GET /v1/cases?q=, docs/search.md): what a search box's text means, and whose
 * internal notes a search may read. Pure: the SQL that runs it is src/repositories/case-search.ts.
 */
import type { CaseAccessFacts } from './access';
import type { Principal } from './roles';

/** At most this many words of a query are used; the rest is ignored. */
export const MAX_SEARCH_WORDS = 10;
/** A longer word is cut: no real word or identifier is longer. */
const MAX_WORD_LENGTH = 64;

/** A shorter last word is matched whole, not as a prefix. */
const MIN_PREFIX_LENGTH = 3;

/** The highlight markers of a snippet; they are removed from the text a snippet is cut from. */
export const HIGHLIGHT_START = '«';
export const HIGHLIGHT_END = '»';

/** What a search box's text asks for. */
export interface SearchQuery {
  /** Words matched (all of them) against the case's text and identifiers. */
  words: string[];
  /** The last word is also matched as the start of a word (typing `ferie` finds `feriepengene`). */
  prefix: string | null;
  /** A case number (`2026-000123`; `2026-123` is read as that too) matched exactly. */
  caseNumber: string | null;
}

/**
 * Reads a search box. Words are runs of letters and digits, with `@ . _ -` inside a word kept
 * (Feide ids, e-mail addresses, case numbers); everything else (tsquery syntax, control
 * characters, NUL) separates words. Nothing of the text reaches SQL but as bound parameters.
 */
export function parseSearch(text: string): SearchQuery {
  const words = (text.normalize('NFC').match(/[\p{L}\p{N}]+(?:[@._-][\p{L}\p{N}]+)*/gu) ?? [])
    .slice(0, MAX_SEARCH_WORDS)
    .map((w) => w.slice(0, MAX_WORD_LENGTH).toLowerCase());
  const numbered = words.map((w) => /^(\d{4})-(\d{1,9})$/.exec(w)).find((m) => m !== null);
  const caseNumber = numbered ? `${numbered[1]}-${numbered[2]!.padStart(6, '0')}` : null;
  const last = words[words.length - 1];
  // The prefix form only for a plain word: `ola@ntnu.no` or a case number is typed whole. One or
  // two characters start too many words to be a useful prefix (`1` starts every employee number).
  const prefix = last !== undefined && last.length >= MIN_PREFIX_LENGTH && /^[\p{L}\p{N}]+$/u.test(last) && !/[\s\p{P}]$/u.test(text) ? last : null;
  return { words, prefix, caseNumber };
}

/**
 * Whose internal notes a search may read: the rows where the caller has the staff view
 * (caseAccess), in set form for a `WHERE`. `notPersonId`: the caller's own cases (as requester or
 * concerned employee) are searched as a requester's; `teams`: the sensitive cases an operator
 * handles ('all': any).
 */
export type InternalSearchScope = { internal: false } | { internal: true; notPersonId: string | null; teams: readonly string[] | 'all' };

/** The set form of "caseAccess(p, c).view === 'staff'" (src/domain/access.ts), for internal notes. */
export function internalSearchScope(p: Principal): InternalSearchScope {
  // An integration is never a person of a case (isPersonOfCase in access.ts).
  const notPersonId = p.roles.includes('integration') ? null : p.id;
  if (p.roles.includes('admin')) return { internal: true, notPersonId, teams: 'all' };
  if (p.roles.includes('operator')) return { internal: true, notPersonId, teams: p.teams };
  if (p.roles.includes('integration') && (p.scopes.includes('cases:read') || p.scopes.includes('cases:write'))) {
    return { internal: true, notPersonId, teams: p.scopes.includes('cases:read:sensitive') ? 'all' : [] };
  }
  return { internal: false };
}

/** Whether a scope reads the internal notes of one case (the rule the SQL applies per row). */
export function searchesInternal(scope: InternalSearchScope, c: CaseAccessFacts): boolean {
  if (!scope.internal) return false;
  if (scope.notPersonId !== null && (c.requesterId === scope.notPersonId || c.concernedId === scope.notPersonId)) return false;
  return scope.teams === 'all' || !c.sensitive || scope.teams.includes(c.teamKey);
}
