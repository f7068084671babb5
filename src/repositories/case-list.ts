/**
 * The list page of cases (GET /v1/cases, the CSV export's pages): one statement per page, the
 * queue filters, the due-time sorts and the search clause (src/repositories/case-search.ts)
 * included. Split from case-repository.ts, whose row mapping (toCaseRow) and columns it reuses.
 */
import type { Visibility } from '../domain/standing';
import type { Status } from '../domain/statuses';
import type { Priority } from '../domain/triage';
import type { Query } from '../db/query';
import {
  CASE_ROW_COLUMNS,
  CASE_SLA_CHANGES,
  toCaseRow,
  type CaseRow,
  type CategoryFacts,
  type CategoryFactsSource,
  type RawCase,
} from './case-repository';
import { RANKED_NEWEST, searchSql, withWordStats, type CaseSearch, type SearchField, type SearchHit, type SearchSql } from './case-search';

export interface CaseListFilter {
  visibility: Visibility;
  status?: readonly Status[];
  category?: string;
  team?: string;
  assignee?: string;
  requester?: string;
  createdFrom?: Date;
  createdTo?: Date;
  /** A search (docs/search.md): its clause is src/repositories/case-search.ts. */
  search?: CaseSearch;
  /** Queue filters (docs/queues.md); `assignee: me` is resolved by the caller. */
  queue?: QueueFilter;
  /** `relevance` needs `search` (by rank, then newest first); the due-time sorts do not go with a search. */
  sort: ListSortKey;
  /**
   * Keyset bound: rows strictly after (rank, at, id) in the sort order (at null: a row without a
   * due time; `rank` for `relevance` only).
   */
  after?: { at: Date | null; id: string; rank?: string };
  limit: number;
}

type ListSortKey = 'created' | 'updated' | 'relevance' | 'resolutionDueAt' | 'firstResponseDueAt';

/** The queue filters of a listing (#16 point 2). */
export interface QueueFilter {
  unassigned?: boolean;
  breached?: boolean;
  dueBefore?: Date;
  priority?: readonly Priority[];
  /** Normalised tags; a case must carry all of them. */
  tags?: readonly string[];
}

/** A listed case with the value of its sort column (for the cursor); `search` is set when the listing searched. */
export type ListedCase = CaseRow & { sortAt: Date | null; search?: SearchHit };

/** Due-time sorts read the case's SLA row (alias s): soonest first, rows without a due time last. */
const DUE_SORT_COLUMN: Partial<Record<ListSortKey, string>> = {
  resolutionDueAt: 's.resolution_due_at',
  firstResponseDueAt: 's.first_response_due_at',
};

/**
 * The queue filters as WHERE clauses. Breaches and due times are those of the case's SLA row
 * (case_sla, alias s) as the SLA sweep last computed them; `needsSla` says the row is joined.
 */
function queueClauses(f: QueueFilter | undefined, p: (v: unknown) => string): { clauses: string[]; needsSla: boolean } {
  const clauses: string[] = [];
  let needsSla = false;
  if (!f) return { clauses, needsSla };
  if (f.unassigned === true) clauses.push('c.assignee_id IS NULL');
  if (f.unassigned === false) clauses.push('c.assignee_id IS NOT NULL');
  if (f.breached !== undefined) {
    needsSla = true;
    clauses.push(`${f.breached ? '' : 'NOT '}coalesce(s.first_response_breached OR s.resolution_breached, false)`);
  }
  if (f.dueBefore) {
    needsSla = true;
    clauses.push(
      `LEAST(CASE WHEN s.first_response_at IS NULL THEN s.first_response_due_at END,
             CASE WHEN s.resolved_at IS NULL THEN s.resolution_due_at END) < ${p(f.dueBefore)}`,
    );
  }
  // Served by case_priority_status_idx and the GIN index case_tags_idx (migration 20261201190200).
  if (f.priority?.length) clauses.push(`c.priority = ANY(${p(f.priority)}::"Priority"[])`);
  if (f.tags?.length) clauses.push(`c.tags @> ${p(f.tags)}::text[]`);
  return { clauses, needsSla };
}

/** A page's row as its statement reads it: no category join (the facts come from `categories`). */
type RawListed = Omit<RawCase, 'category_sensitive'> & { category_epoch: number };

/**
 * The columns of a page's rows (c: the case, t: its timer): the category's facts are not joined
 * but taken from a copy held in the service, checked against the category epoch of the page's
 * snapshot (docs/decisions/category-facts.md). Measured by pgbench on a page's text, the join
 * and its planning were a quarter of what a page cost PostgreSQL (docs/benchmarks.md).
 */
const LISTED_COLUMNS = `${CASE_ROW_COLUMNS}, ${CASE_SLA_CHANGES}, (SELECT epoch FROM category_epoch WHERE id = 1) AS category_epoch`;

/** The rows of a page with their categories' facts, as of the page's snapshot or later. */
async function withCategoryFacts<R extends RawListed>(
  rows: R[],
  categories: CategoryFactsSource,
  extra: (r: R, row: CaseRow) => ListedCase,
): Promise<ListedCase[]> {
  if (rows.length === 0) return [];
  const facts = await categories.atLeast(rows[0]!.category_epoch);
  return rows.map((r) => {
    const cat: CategoryFacts | undefined = facts.get(r.category_key);
    // A case's category is a foreign key: a copy of the page's epoch or later has it.
    if (!cat) throw new Error(`No category ${r.category_key} in the copy of the categories' facts.`);
    return extra(r, toCaseRow(r, cat));
  });
}

/**
 * A page of cases: newest first by created/updated, then by id; or soonest first by a due time
 * (nulls last), then by id ascending. The rows' category facts come from `categories`.
 */
export async function listCases(q: Query, f: CaseListFilter, categories: CategoryFactsSource): Promise<ListedCase[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where: string[] = [];
  const vis = f.visibility;
  if (vis.kind === 'own') {
    const me = p(vis.principalId);
    where.push(`(c.requester_id = ${me} OR c.filed_by_id = ${me})`);
  } else if (vis.kind === 'own-or-open' && !(f.team !== undefined && vis.teams.includes(f.team))) {
    // (A filter on one of the principal's own teams: every row it matches is visible, and the
    // visibility test would only blur the planner's estimate. Measured at 1M: a team's open
    // cases by the partial index in list order, 1.1 ms, instead of all 1,561 of them sorted, 6.3 ms.)
    const me = p(vis.principalId);
    const teams = vis.teams.length > 0 ? ` OR c.team_key = ANY(${p(vis.teams)}::text[])` : '';
    // The category test is a (hashed) subquery rather than a join, so the page query stays on
    // one table and an index can hand it the rows in list order.
    where.push(`(c.requester_id = ${me} OR c.filed_by_id = ${me} OR c.category_key IN (SELECT key FROM category WHERE NOT sensitive)${teams})`);
  }
  // One status as `=`, not `= ANY(…)`: only an equality lets an index on (status, created_at)
  // return the rows in list order (PostgreSQL 15 cannot do that for an array). Several statuses of
  // one team, newest first, are one branch per status instead (perStatus below).
  const statuses = [...new Set(f.status ?? [])];
  const perStatus = statuses.length > 1 && f.team !== undefined && f.sort === 'created' && !f.search;
  if (statuses.length === 1) where.push(`c.status = ${p(statuses[0])}::"CaseStatus"`);
  else if (statuses.length > 1 && !perStatus) where.push(`c.status = ANY(${p(statuses)}::"CaseStatus"[])`);
  if (f.category !== undefined) where.push(`c.category_key = ${p(f.category)}`);
  if (f.team !== undefined) where.push(`c.team_key = ${p(f.team)}`);
  if (f.assignee !== undefined) where.push(`c.assignee_id = ${p(f.assignee)}`);
  if (f.requester !== undefined) where.push(`c.requester_id = ${p(f.requester)}`);
  if (f.createdFrom) where.push(`c.created_at >= ${p(f.createdFrom)}`);
  if (f.createdTo) where.push(`c.created_at < ${p(f.createdTo)}`);
  const queue = queueClauses(f.queue, p);
  where.push(...queue.clauses);
  const slaJoinFor = (due: boolean) => (due || queue.needsSla ? 'LEFT JOIN case_sla s ON s.case_id = c.id' : '');
  if (f.search) {
    // The search clause (GIN indexes of migration 20261201190100): a condition, a rank, a snippet.
    // First the words' share of the cases and the prefix's words (docs/search.md, How a search runs).
    // (Statistics a caller resolved already, wordShares set, are used as they are.)
    const search = searchSql(f.search.wordShares === undefined ? await withWordStats(q, f.search) : f.search, p);
    where.push(search.where);
    return listSearchHits(q, f, search, where, params, p, slaJoinFor(false), categories);
  }
  const due = DUE_SORT_COLUMN[f.sort];
  let col: string;
  let order: string;
  let outerOrder: string;
  if (due) {
    col = due;
    order = `${due} ASC NULLS LAST, c.id ASC`;
    outerOrder = 'c.sort_at ASC NULLS LAST, c.id ASC';
    if (f.after) {
      const id = p(f.after.id);
      if (f.after.at === null) {
        where.push(`(${due} IS NULL AND c.id > ${id}::uuid)`);
      } else {
        const at = p(f.after.at);
        where.push(`(${due} > ${at} OR (${due} = ${at} AND c.id > ${id}::uuid) OR ${due} IS NULL)`);
      }
    }
  } else {
    col = f.sort === 'updated' ? 'c.updated_at' : 'c.created_at';
    order = `${col} DESC, c.id DESC`;
    outerOrder = order;
    if (f.after) {
      const at = p(f.after.at);
      // The `<=` is implied by the OR, but only it lets the index scan start at the cursor: without
      // it a page deep in the archive reads every newer row first.
      where.push(`${col} <= ${at} AND (${col} < ${at} OR (${col} = ${at} AND c.id < ${p(f.after.id)}::uuid))`);
    }
  }
  const slaJoin = slaJoinFor(due !== undefined);
  const limit = p(f.limit);
  const pageOf = (clauses: string[]) =>
    `SELECT c.*, ${col} AS sort_at FROM "case" c ${slaJoin}
              ${clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : ''}
              ORDER BY ${order} LIMIT ${limit}`;
  // A team's queue of several statuses, newest first: each status is one range of the index on
  // (team_key, status, created_at DESC, id DESC), read in list order up to the page's size, and the
  // ranges merged (Merge Append). With `status = ANY(…)` the team's open cases were read newest
  // first through the partial index until enough matched: behind a backlog of 23,000 REGISTERED
  // cases, 9.5 ms a page instead of 0.2 (docs/benchmarks.md, the list per query).
  const page = perStatus
    ? `SELECT c.* FROM (${statuses.map((st) => `(${pageOf([...where, `c.status = ${p(st)}::"CaseStatus"`])})`).join(' UNION ALL ')}) c
              ORDER BY ${order} LIMIT ${limit}`
    : pageOf(where);
  // The page is cut first and only its rows are joined to their timer: joined before the LIMIT,
  // every candidate row of a filter (a team's 1,000 open cases) was probed.
  // Not named (decision record prepared-statements.md): its plan depends on the values (the
  // partial index of open cases, the LIMIT's estimate), so every run is planned for them.
  const rows = await q<RawListed & { sort_at: Date | null }>(
    `SELECT ${LISTED_COLUMNS}, c.sort_at
       FROM (${page}) c
       LEFT JOIN case_timer t ON t.case_id = c.id
      ORDER BY ${outerOrder}`,
    params,
  );
  return withCategoryFacts(rows, categories, (r, row) => ({ ...row, sortAt: r.sort_at }));
}

/**
 * A search page (docs/search.md): first the ids of the hits in list order (relevance: the newest
 * RANKED_NEWEST), then their rank and the page, then snippets for the page's rows only. A rare
 * search sorts its hits by an expression no index has: see SearchSql.rare.
 */
async function listSearchHits(
  q: Query,
  f: CaseListFilter,
  search: SearchSql,
  where: string[],
  params: unknown[],
  p: (v: unknown) => string,
  slaJoin: string,
  categories: CategoryFactsSource,
): Promise<ListedCase[]> {
  const byRank = f.sort === 'relevance';
  const col = f.sort === 'updated' ? 'c.updated_at' : 'c.created_at';
  let pageAfter = '';
  if (f.after?.at) {
    const at = p(f.after.at);
    const id = p(f.after.id);
    if (byRank) {
      const rank = p(f.after.rank ?? '0');
      pageAfter = `WHERE (h.search_rank < ${rank}::real OR (h.search_rank = ${rank}::real AND (h.at < ${at} OR (h.at = ${at} AND h.id < ${id}::uuid))))`;
    } else {
      // The `<=` is implied by the OR, but only it lets the index scan start at the cursor.
      where.push(`${col} <= ${at} AND (${col} < ${at} OR (${col} = ${at} AND c.id < ${id}::uuid))`);
    }
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const hitsOrder = search.rare ? `(${col} + interval '0 s')` : col;
  const pageOrder = (h: string) => (byRank ? `${h}.search_rank DESC, ${h}.at DESC, ${h}.id DESC` : `${h}.at DESC, ${h}.id DESC`);
  // The rank is computed in the scan that finds the hits, for the rows it keeps (the LIMIT stops
  // the scan; a sort of rare hits puts the rank after it): no second visit of each hit's row.
  const sql = `WITH ${search.with ? `${search.with},\n` : ''}hits AS MATERIALIZED (
       SELECT c.id, ${col} AS at, ${search.rank} AS search_rank FROM "case" c ${slaJoin} ${whereSql}
        ORDER BY ${hitsOrder} DESC, c.id DESC LIMIT ${p(byRank ? RANKED_NEWEST : f.limit)})
     SELECT ${LISTED_COLUMNS}, r.search_rank::text AS search_rank, ${search.select}
       FROM (SELECT h.id, h.at, h.search_rank FROM hits h ${pageAfter} ORDER BY ${pageOrder('h')} LIMIT ${p(f.limit)}) r
       JOIN "case" c ON c.id = r.id
       LEFT JOIN case_timer t ON t.case_id = c.id${search.join}
      ORDER BY ${pageOrder('r')}`;
  const rows = await q<RawListed & { search_rank?: string; search_snippet?: string; search_fields?: SearchField[] }>(sql, params);
  return withCategoryFacts(rows, categories, (r, row) => ({
    ...row,
    sortAt: f.sort === 'updated' ? row.updatedAt : row.createdAt,
    search: { rank: r.search_rank ?? '0', snippet: r.search_snippet ?? '', fields: r.search_fields ?? [] },
  }));
}
