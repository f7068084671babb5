/**
 * The search clause of the case list (GET /v1/cases?q=, docs/search.md): the match condition,
 * the rank and the snippet, over the tsvector columns the triggers of migration
 * 20261201190100_case_search keep on "case" (alias c). listCases runs a search as three steps:
 * the matching ids (the GIN indexes, or the newest-first index), at most RANKED_NEWEST of them
 * ranked, and the snippet and fields of the page's rows only.
 */
import { prepared, type Query } from '../db/query';
import { HIGHLIGHT_END, HIGHLIGHT_START, type InternalSearchScope, type SearchQuery } from '../domain/search';

/** Which parts of a case matched a search. */
export type SearchField = 'number' | 'requester' | 'concernedEmployee' | 'subject' | 'description' | 'messages' | 'internalNotes';

/** Relevance ranks the newest this many matches of a search (docs/search.md). */
export const RANKED_NEWEST = 1_000;
/** A prefix that starts more distinct words than this is matched as a prefix, not as its words. */
const MAX_PREFIX_WORDS = 200;

export interface CaseSearch {
  query: SearchQuery;
  scope: InternalSearchScope;
  /**
   * What the prefix starts (SEARCH_WORDS_SQL): its words, matched as these plain words (more than
   * MAX_PREFIX_WORDS: as `prefix:*`); `words: 'in-statement'`: the words are looked up by the
   * search statement itself (the statistics came from the cache); unset: as `prefix:*`, estimated
   * by the planner.
   */
  prefixExpansion?: PrefixExpansion | { words: 'in-statement'; share: number };
  /**
   * The share of the cases each whole word is in (SEARCH_WORDS_SQL), in order; unset: unknown
   * (the planner's estimate decides how the hits are found).
   */
  wordShares?: number[];
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

/** A word or prefix in more than this share of the cases (the statistics' common words) is common. */
const COMMON_SHARE = 0.01;

/** The stems of the text `x` (an SQL expression) in every configuration, as an array of lexemes. */
const stemsOf = (x: string) => `tsvector_to_array(${CONFIGS.map((cfg) => `to_tsvector('${cfg}', ${x})`).join(' || ')})`;

/**
 * The lexemes of the word list the stems in `stems` (a relation with a column `stem`) start, at
 * most MAX_PREFIX_WORDS + 1 (more: too many to list). The stems are letters and digits
 * (parseSearch), so `stem || '%'` holds no LIKE syntax.
 */
const prefixWordsSql = (stems: string) =>
  `SELECT DISTINCT x.lexeme FROM ${stems}
     CROSS JOIN LATERAL (SELECT l.lexeme FROM search_lexeme l WHERE l.lexeme LIKE s.stem || '%' LIMIT ${MAX_PREFIX_WORDS + 1}) x
    LIMIT ${MAX_PREFIX_WORDS + 1}`;

/**
 * What the words of a search are, from the index and the planner's statistics, before the search
 * runs. Bound: $1 the prefix (null: none), $2 the whole words.
 * - `words`: what the prefix starts, the lexemes (in any configuration: its stem in each, as
 *   `to_tsquery` would stem `prefix:*`): prefixWordsSql.
 * - `share`: the share of the cases the prefix's common words are in, and `wordShares` that of
 *   each whole word (its stems in every configuration): the sum of the frequencies of the
 *   statistics' common words (most_common_elems of the three vectors) it is or starts; a word not
 *   among them is rarer than every one of them (0).
 */
const SEARCH_WORDS_SQL = prepared(`
  WITH stems AS (
    SELECT DISTINCT unnest(${stemsOf('$1')}) AS stem WHERE $1::text IS NOT NULL),
  common AS (
    SELECT e.lexeme, e.freq FROM pg_stats st
     CROSS JOIN LATERAL unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS e(lexeme, freq)
     WHERE st.schemaname = current_schema() AND st.tablename = 'case'
       AND st.attname IN ('search_fields', 'search_messages', 'search_internal'))
  SELECT ARRAY(${prefixWordsSql('stems s')}) AS words,
         (SELECT coalesce(sum(c.freq), 0) FROM common c WHERE EXISTS (SELECT 1 FROM stems s WHERE starts_with(c.lexeme, s.stem)))::float8 AS share,
         ARRAY(SELECT (SELECT coalesce(sum(c.freq), 0) FROM common c
                        WHERE c.lexeme = ANY(${stemsOf('w')}))::float8
                 FROM unnest($2::text[]) WITH ORDINALITY AS u(w, i) ORDER BY i) AS "wordShares"`);

/** The answer of SEARCH_WORDS_SQL. */
interface SearchWords extends PrefixExpansion {
  wordShares: number[];
}

/** What a prefix starts (SEARCH_WORDS_SQL). */
interface PrefixExpansion {
  words: string[];
  share: number;
}

/** The words' shares of a search, as SEARCH_WORDS_SQL found them from the planner's statistics. */
interface WordShares {
  share: number;
  wordShares: number[];
  at: number;
}

/**
 * The statistics' shares of recent searches' words, by [prefix, whole words]. They come from
 * pg_stats, which changes when the table is analysed (autovacuum, minutes apart), and decide only
 * how the hits are found, never which: a share older than WORD_SHARES_TTL_MS is read again.
 */
const wordSharesCache = new Map<string, WordShares>();
const WORD_SHARES_TTL_MS = 5 * 60_000;
const WORD_SHARES_MAX = 5_000;

/**
 * The search with its words' statistics (SEARCH_WORDS_SQL), so that searchSql knows a rare word
 * (the hits are few: found through the GIN indexes) and what the prefix starts. The first search
 * of its words runs the statement; a repeat within WORD_SHARES_TTL_MS takes the shares from the
 * cache and leaves the prefix's words to the search statement (one statement: the list's target,
 * #17), which looks them up as it runs, so a word filed a moment ago is found as before.
 */
export async function withWordStats(q: Query, s: CaseSearch): Promise<CaseSearch> {
  const now = Date.now();
  const { words, prefix } = s.query;
  if (words.length === 0) return s;
  const whole = prefix === null ? words : words.slice(0, -1);
  const key = JSON.stringify([prefix, whole]);
  const cached = wordSharesCache.get(key);
  if (cached && now - cached.at < WORD_SHARES_TTL_MS) {
    return { ...s, wordShares: cached.wordShares, ...(prefix === null ? {} : { prefixExpansion: { words: 'in-statement', share: cached.share } }) };
  }
  const [stats] = await q<SearchWords>(SEARCH_WORDS_SQL, [prefix, whole]);
  if (!stats) return s;
  wordSharesCache.delete(key);
  if (wordSharesCache.size >= WORD_SHARES_MAX) wordSharesCache.delete(wordSharesCache.keys().next().value!);
  wordSharesCache.set(key, { share: stats.share, wordShares: stats.wordShares, at: now });
  return { ...s, wordShares: stats.wordShares, ...(prefix === null ? {} : { prefixExpansion: { words: stats.words, share: stats.share } }) };
}

/** Forgets the cached word shares (tests). */
export function clearWordSharesCache(): void {
  wordSharesCache.clear();
}

/**
 * Checks up to `maxWords` of the words updates removed from cases (queued in search_lexeme_removed),
 * for at most about `budgetMs`, and drops from the word list those no case holds any more
 * (search_lexeme_cleanup, migration 20261202100600); answers how many it checked (0: none queued).
 */
export async function cleanUpRemovedWords(q: Query, maxWords: number, budgetMs: number): Promise<number> {
  const [row] = await q<{ taken: number }>('SELECT search_lexeme_cleanup($1::int, $2::int) AS taken', [maxWords, budgetMs]);
  return row?.taken ?? 0;
}

/** A tsquery of one word no vector holds (to_tsvector never makes a lexeme of a space): matches nothing. */
const NO_WORD = `''' '''::tsquery`;

/** A lexeme as a tsquery operand (quoted: no stemming, no syntax). */
const lexemeQuery = (l: string) => `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * One tsquery per word, in order; `common`: per word, whether the statistics count it as common;
 * `rare`: one word is rare, so the hits are few. Null when a word can match nothing.
 */
function wordQueries(s: CaseSearch, p: Param): { parts: string[]; common: boolean[]; rare: boolean; with?: string } | null {
  const q = s.query;
  // No indexed word starts so: nothing can match (checked before any parameter is bound).
  const expansion = s.prefixExpansion;
  if (q.prefix !== null && Array.isArray(expansion?.words) && expansion.words.length === 0) return null;
  const whole = q.prefix === null ? q.words : q.words.slice(0, -1);
  // Every word must match: one rare whole word makes the hits few. Its tsquery stays visible to the
  // planner (it estimates a word outside the statistics' common words as rare, and takes the GIN
  // indexes), but the hits must not be read newest first from the list's index (SearchSql.rare).
  const common = whole.map((_, i) => (s.wordShares?.[i] ?? COMMON_SHARE) >= COMMON_SHARE);
  const rareWord = common.includes(false);
  const parts = whole.map((w) => {
    const v = p(w);
    return `(${CONFIGS.map((cfg) => `plainto_tsquery('${cfg}', ${v})`).join(' || ')})`;
  });
  if (q.prefix !== null) {
    let prefix: string;
    let withCte: string | undefined;
    // Letters and digits only (parseSearch), so `word:*` is a well-formed tsquery by construction.
    const asPrefix = () => {
      const v = p(`${q.prefix}:*`);
      return `(${CONFIGS.map((cfg) => `to_tsquery('${cfg}', ${v})`).join(' || ')})`;
    };
    if (expansion === undefined) {
      prefix = asPrefix();
    } else if (expansion.words === 'in-statement') {
      // A common prefix: `prefix:*`, estimated by the planner from its statistics (it reads the
      // cases newest first, as for the listed words). A rare one: its words looked up here, as
      // SEARCH_WORDS_SQL does (more than MAX_PREFIX_WORDS: `prefix:*`; none: a word no text has,
      // so nothing matches and every rank stays a number).
      if (expansion.share >= COMMON_SHARE) {
        prefix = asPrefix();
      } else {
        // Looked up once, in a CTE of the statement (the query is used by the match, the rank and
        // every snippet column).
        const v = p(q.prefix);
        prefix = `(SELECT pfx.q FROM search_prefix pfx)`;
        withCte = `search_prefix AS MATERIALIZED (SELECT CASE WHEN count(*) > ${MAX_PREFIX_WORDS} THEN ${asPrefix()}
                               ELSE coalesce(string_agg('''' || replace(replace(x.lexeme, '\\', '\\\\'), '''', '''''') || '''', ' | ')::tsquery, ${NO_WORD}) END AS q
                     FROM (${prefixWordsSql(`unnest(${stemsOf(v)}) AS s(stem)`)}) x)`;
      }
    } else if (expansion.words.length > MAX_PREFIX_WORDS) {
      prefix = asPrefix();
    } else {
      prefix = `${p(expansion.words.map(lexemeQuery).join(' | '))}::tsquery`;
    }
    // A rare prefix (its words in under 1 % of the cases) is hidden from the planner's estimate (a
    // sub-select: it assumes a default, small share), so the hits come from the GIN indexes; the
    // planner's own estimate of many rare words, or of `word:*`, is far too high and it would read
    // the whole table newest first. A common one is estimated from the statistics as it is.
    const rare = expansion !== undefined && expansion.share < COMMON_SHARE;
    parts.push(rare ? `(SELECT ${prefix})` : prefix);
    common.push(expansion !== undefined && !rare);
    return { parts, common, rare: rare || rareWord, ...(withCte ? { with: withCte } : {}) };
  }
  return { parts, common, rare: rareWord };
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
  /** The match condition, for the WHERE of the step that finds the hits. */
  where: string;
  /** The rank (real): higher first. */
  rank: string;
  /** Joins for the page's rows (alias c): each part's match, once per row. */
  join: string;
  /** Columns for the page's rows: search_snippet, search_fields. */
  select: string;
  /**
   * The hits are few (a rare prefix): find them through the GIN indexes and sort them, never by
   * reading the list's index newest first until enough match (listCases orders them by an
   * expression no index has).
   */
  rare: boolean;
  /** A CTE the statement must define before the others (the prefix's words, looked up in it). */
  with?: string;
}

export function searchSql(search: CaseSearch, p: Param): SearchSql {
  const matched = wordQueries(search, p);
  const number = search.query.caseNumber === null ? null : p(search.query.caseNumber);
  const byNumber = number === null ? 'false' : `c.number = ${number}`;
  // Nothing to match but (perhaps) a number: no parameter more may be bound, every one must be used.
  if (matched === null || matched.parts.length === 0) {
    return { where: byNumber, rank: `(CASE WHEN ${byNumber} THEN 10 ELSE 0 END)::real`, join: '', select: noText, rare: true };
  }
  const words = matched.parts;
  const internal = internalVisible(search.scope, p);
  // Every word must match, each in any part the caller may search: a word in the description and
  // another in a reply find the case. Per word a BitmapOr of the GIN indexes, the words a BitmapAnd.
  // With a rare word among them, a common word is tested on the rare word's hits, not read from
  // its GIN index (a coalesce no index has): its bitmap of 300,000 cases took 0.35 s to build.
  const everyWord = words
    .map((w, i) => {
      const v = (col: string) => (matched.rare && matched.common[i] ? `coalesce(c.${col}, ''::tsvector)` : `c.${col}`);
      return `(${v('search_fields')} @@ ${w} OR ${v('search_messages')} @@ ${w} OR (${internal} AND ${v('search_internal')} @@ ${w}))`;
    })
    .join(' AND ');
  const where = `(${byNumber} OR (${everyWord}))`;
  // Any word: for the rank (more words matched, more often, in heavier parts: higher), the fields and the highlights.
  const tsq = `(${words.join(' || ')})`;
  const rank =
    `(CASE WHEN ${byNumber} THEN 10 ELSE 0 END` +
    ` + ts_rank(coalesce(c.search_fields, ''::tsvector), ${tsq}) + ts_rank(coalesce(c.search_messages, ''::tsvector), ${tsq})` +
    ` + CASE WHEN ${internal} THEN ts_rank(coalesce(c.search_internal, ''::tsvector), ${tsq}) ELSE 0 END)::real`;

  // Per page row only: which parts matched, and a snippet of the first text part that did. The
  // description, the public messages and the internal notes are tested on the vectors the hit was
  // found by (the description is the only B-weighted part of search_fields; the messages' vectors
  // are their own columns), not parsed again: a case with long threads parsed every message twice
  // per page view. The subject and the names are short and share weight A, so they are parsed.
  // OFFSET 0 keeps the lateral a subquery evaluated once per row: flattened, each `sx.x` below
  // was its expression again (the subject's parse ran once for the fields and again for the snippet).
  const vec = (text: string, cfgs: readonly string[] = ['norwegian', 'english']) => cfgs.map((cfg) => `to_tsvector('${cfg}', ${text})`).join(' || ');
  const requester = `concat_ws(' ', c.employee_number, c.requester_id, c.requester_name, c.external_requester ->> 'name')`;
  const concerned = `concat_ws(' ', c.concerns_employee ->> 'id', c.concerns_employee ->> 'name', c.concerns_employee ->> 'employeeNumber')`;
  const texts: Array<[SearchField, string, string, string]> = [
    ['subject', 'c.subject', 'subject', `${vec(`coalesce(c.subject, '')`)} @@ ${tsq}`],
    ['description', 'c.description', 'description', `ts_filter(coalesce(c.search_fields, ''::tsvector), '{b}') @@ ${tsq}`],
    ['messages', messagesOf('public'), 'messages', `coalesce(c.search_messages, ''::tsvector) @@ ${tsq}`],
    [
      'internalNotes',
      `CASE WHEN ${internal} THEN ${messagesOf('internal')} END`,
      'internal',
      `(${internal} AND coalesce(c.search_internal, ''::tsvector) @@ ${tsq})`,
    ],
  ];
  const join = `
  CROSS JOIN LATERAL (SELECT
      ${byNumber} AS number,
      ${vec(requester, ['simple'])} @@ ${tsq} AS requester,
      ${vec(concerned, ['simple'])} @@ ${tsq} AS concerned,
      ${texts.map(([, , col, test]) => `${test} AS ${col}`).join(',\n      ')}
    OFFSET 0) sx`;
  const fields = [
    `CASE WHEN sx.number THEN 'number' END`,
    `CASE WHEN sx.requester THEN 'requester' END`,
    `CASE WHEN sx.concerned THEN 'concernedEmployee' END`,
    ...texts.map(([name, , col]) => `CASE WHEN sx.${col} THEN '${name}' END`),
  ];
  const options = p(
    `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`,
  );
  const markers = p(HIGHLIGHT_START + HIGHLIGHT_END);
  // The first text part that matched, else the subject; the markers are taken out of it first, so
  // every marker in a snippet is a highlight. A thread's text is read only when it is that part
  // (OFFSET 0: read once, though the snippet names it twice).
  const source = `translate(coalesce(CASE ${texts.map(([, text, col]) => `WHEN sx.${col} THEN ${text}`).join(' ')} END, c.subject), ${markers}, '""')`;
  const select = `
    (SELECT CASE WHEN position(${p(HIGHLIGHT_START)} IN h.nb) > 0 THEN h.nb ELSE ts_headline('english', h.src, ${tsq}, ${options}) END
       FROM (SELECT s.src, ts_headline('norwegian', s.src, ${tsq}, ${options}) AS nb FROM (SELECT ${source} AS src OFFSET 0) s) h) AS search_snippet,
    array_remove(ARRAY[${fields.join(', ')}]::text[], NULL) AS search_fields`;
  return { where, rank, join, select, rare: matched.rare, ...(matched.with ? { with: matched.with } : {}) };
}

/** The snippet and fields of a hit by case number only: the subject as it is. */
const noText = `translate(c.subject, '${HIGHLIGHT_START}${HIGHLIGHT_END}', '""') AS search_snippet, ARRAY['number']::text[] AS search_fields`;

/** The text of a case's (alias c) messages of one visibility, in order: a snippet's source. */
function messagesOf(visibility: 'public' | 'internal'): string {
  return `(SELECT string_agg(m.body, E'\\n' ORDER BY m.seq) FROM case_message m WHERE m.case_id = c.id AND m.visibility = '${visibility}')`;
}
