/**
 * The search clause of the case list (GET /v1/cases?q=, docs/search.md): the match condition,
 * the rank and the snippet, over the tsvector columns the triggers of migration
 * 20261201190100_case_search keep on "case" (alias c). Self-contained: listCases adds the
 * condition to its WHERE, orders by the rank when asked to, and selects the snippet for the page.
 */
import { HIGHLIGHT_END, HIGHLIGHT_START, type InternalSearchScope, type SearchQuery } from '../domain/search';

/** Which parts of a case matched a search. */
export type SearchField = 'number' | 'requester' | 'concernedEmployee' | 'subject' | 'description' | 'messages' | 'internalNotes';

export interface CaseSearch {
  query: SearchQuery;
  scope: InternalSearchScope;
}

/** What a hit carries besides the case: its rank (the cursor's key, as PostgreSQL prints it) and its snippet. */
export interface SearchHit {
  rank: string;
  snippet: string;
  fields: SearchField[];
}

type Param = (v: unknown) => string;

/** Each word in each configuration: Norwegian and English stems, and as written (names, ids). */
const CONFIGS = ['norwegian', 'english', 'simple'] as const;

/** One tsquery per word (each in every configuration), in order; empty when the search has no words. */
function wordQueries(s: SearchQuery, p: Param): string[] {
  const whole = s.prefix === null ? s.words : s.words.slice(0, -1);
  const parts = whole.map((w) => {
    const v = p(w);
    return `(${CONFIGS.map((cfg) => `plainto_tsquery('${cfg}', ${v})`).join(' || ')})`;
  });
  if (s.prefix !== null) {
    // Letters and digits only (parseSearch), so `word:*` is a well-formed tsquery by construction.
    const v = p(`${s.prefix}:*`);
    parts.push(`(${CONFIGS.map((cfg) => `to_tsquery('${cfg}', ${v})`).join(' || ')})`);
  }
  return parts;
}

/** The condition "the caller has the staff view of row c" for internal notes (searchesInternal in domain/search.ts). */
function internalVisible(scope: InternalSearchScope, p: Param): string {
  if (!scope.internal) return 'false';
  const conds: string[] = [];
  if (scope.notPersonId !== null) {
    const me = p(scope.notPersonId);
    conds.push(`c.requester_id IS DISTINCT FROM ${me} AND (c.concerns_employee ->> 'id') IS DISTINCT FROM ${me}`);
  }
  if (scope.teams !== 'all') {
    const teams = scope.teams.length > 0 ? ` OR c.team_key = ANY(${p(scope.teams)}::text[])` : '';
    conds.push(`(c.category_key IN (SELECT key FROM category WHERE NOT sensitive)${teams})`);
  }
  return conds.length > 0 ? `(${conds.join(' AND ')})` : 'true';
}

/** The SQL pieces of one search, with their parameters bound through `p`. */
export interface SearchSql {
  /** The match condition, for the WHERE of the page query. */
  where: string;
  /** The rank (real): higher first. */
  rank: string;
  /** Columns for the outer query over the page's rows (alias c): search_snippet, search_fields. */
  select: string;
}

export function searchSql(search: CaseSearch, p: Param): SearchSql {
  const words = wordQueries(search.query, p);
  const number = search.query.caseNumber === null ? null : p(search.query.caseNumber);
  const byNumber = number === null ? 'false' : `c.number = ${number}`;
  // Nothing to match but (perhaps) a number: no parameter more may be bound, every one must be used.
  if (words.length === 0) return { where: byNumber, rank: `(CASE WHEN ${byNumber} THEN 10 ELSE 0 END)::real`, select: noText };
  const internal = internalVisible(search.scope, p);
  // Every word must match, each in any part the caller may search: a word in the description and
  // another in a reply find the case. Per word a BitmapOr of the GIN indexes, the words a BitmapAnd.
  const everyWord = words
    .map((w) => `(c.search_fields @@ ${w} OR c.search_messages @@ ${w} OR (${internal} AND c.search_internal @@ ${w}))`)
    .join(' AND ');
  const where = `(${byNumber} OR (${everyWord}))`;
  // Any word: for the rank (more words matched, more often, in heavier parts: higher), the fields and the highlights.
  const tsq = `(${words.join(' || ')})`;
  const rank =
    `(CASE WHEN ${byNumber} THEN 10 ELSE 0 END` +
    ` + ts_rank(coalesce(c.search_fields, ''::tsvector), ${tsq}) + ts_rank(coalesce(c.search_messages, ''::tsvector), ${tsq})` +
    ` + CASE WHEN ${internal} THEN ts_rank(coalesce(c.search_internal, ''::tsvector), ${tsq}) ELSE 0 END)::real`;

  // Per page row only: which parts matched, and a snippet of the first text part that did.
  const vec = (text: string, cfgs: readonly string[] = ['norwegian', 'english']) => cfgs.map((cfg) => `to_tsvector('${cfg}', ${text})`).join(' || ');
  const requester = `concat_ws(' ', c.employee_number, c.requester_id, c.requester_name, c.external_requester ->> 'name')`;
  const concerned = `concat_ws(' ', c.concerns_employee ->> 'id', c.concerns_employee ->> 'name', c.concerns_employee ->> 'employeeNumber')`;
  const texts: Array<[SearchField, string]> = [
    ['subject', 'c.subject'],
    ['description', 'c.description'],
    ['messages', 'sm.pub'],
    ['internalNotes', `CASE WHEN ${internal} THEN sm.internal END`],
  ];
  const fields = [
    `CASE WHEN ${byNumber} THEN 'number' END`,
    `CASE WHEN ${vec(requester, ['simple'])} @@ ${tsq} THEN 'requester' END`,
    `CASE WHEN ${vec(concerned, ['simple'])} @@ ${tsq} THEN 'concernedEmployee' END`,
    ...texts.map(([name, text]) => `CASE WHEN ${vec(`coalesce(${text}, '')`)} @@ ${tsq} THEN '${name}' END`),
  ];
  const options = p(
    `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`,
  );
  const markers = p(HIGHLIGHT_START + HIGHLIGHT_END);
  // The first text part that matched, else the subject; the markers are taken out of it first, so
  // every marker in a snippet is a highlight.
  const source = `translate(coalesce(CASE ${texts.map(([, text]) => `WHEN ${vec(`coalesce(${text}, '')`)} @@ ${tsq} THEN ${text}`).join(' ')} END, c.subject), ${markers}, '""')`;
  const headline = (cfg: string) => `ts_headline('${cfg}', ${source}, ${tsq}, ${options})`;
  const select = `
    (SELECT CASE WHEN position(${p(HIGHLIGHT_START)} IN h.nb) > 0 THEN h.nb ELSE ${headline('english')} END
       FROM (SELECT ${headline('norwegian')} AS nb) h) AS search_snippet,
    array_remove(ARRAY[${fields.join(', ')}]::text[], NULL) AS search_fields`;
  return { where, rank, select };
}

/** The snippet and fields of a hit by case number only: the subject as it is. */
const noText = `translate(c.subject, '${HIGHLIGHT_START}${HIGHLIGHT_END}', '""') AS search_snippet, ARRAY['number']::text[] AS search_fields`;

/** The messages of a page row, for its snippet (a LATERAL join on alias sm). */
export const SEARCH_MESSAGES_JOIN = `
  LEFT JOIN LATERAL (
    SELECT string_agg(m.body, E'\\n' ORDER BY m.seq) FILTER (WHERE m.visibility = 'public') AS pub,
           string_agg(m.body, E'\\n' ORDER BY m.seq) FILTER (WHERE m.visibility = 'internal') AS internal
      FROM case_message m WHERE m.case_id = c.id) sm ON true`;
