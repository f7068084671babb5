/**
 * The statements of the case hot paths (view, list, file, change), in SQL through `pg`.
 *
 * Prisma stays the source of the schema and the client of the cold paths; these functions read
 * and write the same tables with the same column names, and their row types are Prisma's
 * generated model types, so a column added to schema.prisma and not mapped here fails to compile
 * (toCaseRow builds every field by name). docs/decisions/hot-path-sql.md says why.
 */
import { randomUUID } from 'node:crypto';
import type { Attachment, Case, CaseMessage, Category } from '../generated/prisma/client';
import type { ChangeActor } from '../domain/plan';
import type { Visibility } from '../domain/standing';
import type { StatusChange } from '../domain/sla';
import type { Status } from '../domain/statuses';
import type { Priority, PriorityTargets } from '../domain/triage';
import type { Query } from '../db/query';
import {
  RANKED_NEWEST,
  SEARCH_MESSAGES_JOIN,
  searchSql,
  withWordStats,
  type CaseSearch,
  type SearchField,
  type SearchHit,
  type SearchSql,
} from './case-search';

/** A case with what every view of it needs: its category's sensitivity and its pending timer. */
export type CaseRow = Case & {
  category: { sensitive: boolean };
  timer: { toStatus: Status; dueAt: Date } | null;
  /**
   * What its service level is computed from besides the row (read by the same statement as the
   * case, so a view needs no statement of its own for it): the category's targets and the
   * status changes. Absent when the statement did not read them.
   */
  slaFacts?: CaseSlaExtras;
};

export interface CaseSlaExtras {
  firstResponseHours: number;
  resolutionHours: number;
  /** The category's per-priority overrides (shortening only; src/domain/triage.ts). */
  priorityTargets: PriorityTargets;
  /** Status changes, oldest first (null: not read; the writer's answer leaves them to the caller). */
  changes: StatusChange[] | null;
}

export type AttachmentMeta = Omit<Attachment, 'data'>;

/** The scalars of the case (alias c), as toCaseRow reads them. */
export const CASE_SCALARS = `
  c.id, c.number, c.status::text AS status, c.status_changed_at, c.category_key, c.team_key, c.assignee_id,
  c.subject, c.description, c.details, c.channel::text AS channel, c.requester_id, c.requester_name,
  c.employee_number, c.concerns_employee, c.external_requester, c.requester_email, c.language, c.cc_emails,
  c.filed_by_id, c.filed_by_role,
  c.last_public_reply_at, c.first_response_at, c.completed_at, c.closed_at, c.resolution::text AS resolution, c.anonymised_at, c.merged_into_id,
  c.priority::text AS priority, coalesce(c.tags, '{}') AS tags, c.version,
  c.created_at, c.updated_at`;

/** The scalars of the case (alias c) and its relations' fields, as toCaseRow reads them. */
const CASE_COLUMNS = `${CASE_SCALARS}, cat.sensitive AS category_sensitive, t.to_status::text AS timer_to, t.due_at AS timer_due_at`;

/** The case's (alias c) service-level facts, as toCaseRow reads them into `slaFacts`. */
const CASE_SLA_COLUMNS = `cat.first_response_hours, cat.resolution_hours, cat.priority_targets,
  coalesce((SELECT json_agg(json_build_object('at', h.at, 'to', h.to_value) ORDER BY h.id)
              FROM case_history h WHERE h.case_id = c.id AND h.field = 'status'), '[]'::json) AS sla_changes`;

/** The case (alias c) with its category (cat) and timer (t): the FROM of every case read. */
const CASE_FROM = `"case" c JOIN category cat ON cat.key = c.category_key LEFT JOIN case_timer t ON t.case_id = c.id`;

export interface RawCase {
  id: string;
  number: string;
  status: Status;
  status_changed_at: Date;
  category_key: string;
  team_key: string;
  assignee_id: string | null;
  subject: string;
  description: string;
  details: Case['details'];
  channel: Case['channel'];
  requester_id: string | null;
  requester_name: string | null;
  employee_number: string | null;
  concerns_employee: Case['concernsEmployee'];
  external_requester: Case['externalRequester'];
  requester_email: string | null;
  language: string;
  cc_emails: string[];
  filed_by_id: string;
  filed_by_role: string;
  last_public_reply_at: Date | null;
  first_response_at: Date | null;
  completed_at: Date | null;
  closed_at: Date | null;
  resolution: Case['resolution'];
  anonymised_at: Date | null;
  merged_into_id: string | null;
  priority: Priority;
  tags: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
  category_sensitive: boolean;
  timer_to: Status | null;
  timer_due_at: Date | null;
  first_response_hours?: number;
  resolution_hours?: number;
  priority_targets?: PriorityTargets | null;
  sla_changes?: Array<{ at: string; to: Status }>;
}

export function toCaseRow(r: RawCase): CaseRow {
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    statusChangedAt: r.status_changed_at,
    categoryKey: r.category_key,
    teamKey: r.team_key,
    assigneeId: r.assignee_id,
    subject: r.subject,
    description: r.description,
    details: r.details,
    channel: r.channel,
    requesterId: r.requester_id,
    requesterName: r.requester_name,
    employeeNumber: r.employee_number,
    concernsEmployee: r.concerns_employee,
    externalRequester: r.external_requester,
    requesterEmail: r.requester_email,
    language: r.language,
    ccEmails: r.cc_emails,
    filedById: r.filed_by_id,
    filedByRole: r.filed_by_role,
    lastPublicReplyAt: r.last_public_reply_at,
    firstResponseAt: r.first_response_at,
    completedAt: r.completed_at,
    closedAt: r.closed_at,
    resolution: r.resolution,
    anonymisedAt: r.anonymised_at,
    mergedIntoId: r.merged_into_id,
    priority: r.priority,
    tags: r.tags,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    category: { sensitive: r.category_sensitive },
    timer: r.timer_to && r.timer_due_at ? { toStatus: r.timer_to, dueAt: r.timer_due_at } : null,
    ...(r.first_response_hours === undefined
      ? {}
      : {
          slaFacts: {
            firstResponseHours: Number(r.first_response_hours),
            resolutionHours: Number(r.resolution_hours),
            priorityTargets: r.priority_targets ?? {},
            changes: r.sla_changes ? r.sla_changes.map((c) => ({ at: new Date(c.at), to: c.to })) : null,
          },
        }),
  };
}

// ------------------------------------------------------------------------------------- reads

export async function findCase(q: Query, id: string): Promise<CaseRow | null> {
  const [r] = await q<RawCase>(`SELECT ${CASE_COLUMNS} FROM ${CASE_FROM} WHERE c.id = $1::uuid`, [id]);
  return r ? toCaseRow(r) : null;
}

/** A case with its attachments' metadata (never their bytes), in one statement. */
export async function findCaseWithAttachments(q: Query, id: string): Promise<{ row: CaseRow; attachments: AttachmentMeta[] } | null> {
  const [r] = await q<RawCase & { attachments: Array<Omit<AttachmentMeta, 'createdAt'> & { createdAt: string }> }>(
    `SELECT ${CASE_COLUMNS}, ${CASE_SLA_COLUMNS},
            coalesce((SELECT json_agg(json_build_object(
                        'id', a.id, 'caseId', a.case_id, 'filename', a.filename, 'contentType', a.content_type,
                        'size', a.size, 'sha256', a.sha256, 'uploadedById', a.uploaded_by_id,
                        'uploadedByRole', a.uploaded_by_role, 'createdAt', a.created_at) ORDER BY a.created_at, a.id)
                        FROM attachment a WHERE a.case_id = c.id), '[]'::json) AS attachments
       FROM ${CASE_FROM} WHERE c.id = $1::uuid`,
    [id],
  );
  if (!r) return null;
  return { row: toCaseRow(r), attachments: r.attachments.map((a) => ({ ...a, createdAt: new Date(a.createdAt) })) };
}

/**
 * Takes the row lock that serialises changes to one case; false when there is no such case. Only
 * changes that store rows of their own before the plan (an upload) take it; the others are
 * optimistic (docs/decisions/one-statement-writes.md).
 */
export async function lockCase(q: Query, id: string): Promise<boolean> {
  return (await q(`SELECT id FROM "case" WHERE id = $1::uuid FOR UPDATE`, [id])).length === 1;
}

/** The case a change decides on, with its service-level facts and the epoch of the suspension windows, in one statement. */
export async function readCaseForChange(q: Query, id: string): Promise<{ row: CaseRow; windowEpoch: number } | null> {
  const [r] = await q<RawCase & { window_epoch: number }>(
    `SELECT ${CASE_COLUMNS}, ${CASE_SLA_COLUMNS}, (SELECT epoch FROM window_epoch WHERE id = 1) AS window_epoch
       FROM ${CASE_FROM} WHERE c.id = $1::uuid`,
    [id],
  );
  return r ? { row: toCaseRow(r), windowEpoch: r.window_epoch } : null;
}

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

/**
 * A page of cases: newest first by created/updated, then by id; or soonest first by a due time
 * (nulls last), then by id ascending.
 */
export async function listCases(q: Query, f: CaseListFilter): Promise<ListedCase[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where: string[] = [];
  const vis = f.visibility;
  if (vis.kind === 'own') {
    const me = p(vis.principalId);
    where.push(`(c.requester_id = ${me} OR c.filed_by_id = ${me})`);
  } else if (vis.kind === 'own-or-open') {
    const me = p(vis.principalId);
    const teams = vis.teams.length > 0 ? ` OR c.team_key = ANY(${p(vis.teams)}::text[])` : '';
    // The category test is a (hashed) subquery rather than a join, so the page query stays on
    // one table and an index can hand it the rows in list order.
    where.push(`(c.requester_id = ${me} OR c.filed_by_id = ${me} OR c.category_key IN (SELECT key FROM category WHERE NOT sensitive)${teams})`);
  }
  // One status as `=`, not `= ANY(…)`: only an equality lets an index on (status, created_at)
  // return the rows in list order (PostgreSQL 15 cannot do that for an array).
  if (f.status?.length === 1) where.push(`c.status = ${p(f.status[0])}::"CaseStatus"`);
  else if (f.status?.length) where.push(`c.status = ANY(${p(f.status)}::"CaseStatus"[])`);
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
    const search = searchSql(await withWordStats(q, f.search), p);
    where.push(search.where);
    return listSearchHits(q, f, search, where, params, p, slaJoinFor(false));
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
  // The page is cut first and only its rows are joined to their category and timer: joined
  // before the LIMIT, every candidate row of a filter (a team's 1,000 open cases) was probed.
  const rows = await q<RawCase & { sort_at: Date | null }>(
    `SELECT ${CASE_COLUMNS}, ${CASE_SLA_COLUMNS}, c.sort_at
       FROM (SELECT c.*, ${col} AS sort_at FROM "case" c ${slaJoin}
              ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
              ORDER BY ${order} LIMIT ${p(f.limit)}) c
       JOIN category cat ON cat.key = c.category_key
       LEFT JOIN case_timer t ON t.case_id = c.id
      ORDER BY ${outerOrder}`,
    params,
  );
  return rows.map((r) => ({ ...toCaseRow(r), sortAt: r.sort_at }));
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
  const sql = `WITH hits AS MATERIALIZED (
       SELECT c.id, ${col} AS at, ${search.rank} AS search_rank FROM "case" c ${slaJoin} ${whereSql}
        ORDER BY ${hitsOrder} DESC, c.id DESC LIMIT ${p(byRank ? RANKED_NEWEST : f.limit)})
     SELECT ${CASE_COLUMNS}, ${CASE_SLA_COLUMNS}, r.search_rank::text AS search_rank, ${search.select}
       FROM (SELECT h.id, h.at, h.search_rank FROM hits h ${pageAfter} ORDER BY ${pageOrder('h')} LIMIT ${p(f.limit)}) r
       JOIN "case" c ON c.id = r.id
       JOIN category cat ON cat.key = c.category_key
       LEFT JOIN case_timer t ON t.case_id = c.id${SEARCH_MESSAGES_JOIN}${search.join}
      ORDER BY ${pageOrder('r')}`;
  const rows = await q<RawCase & { search_rank?: string; search_snippet?: string; search_fields?: SearchField[] }>(sql, params);
  return rows.map((r) => {
    const row = toCaseRow(r);
    return {
      ...row,
      sortAt: f.sort === 'updated' ? row.updatedAt : row.createdAt,
      search: { rank: r.search_rank ?? '0', snippet: r.search_snippet ?? '', fields: r.search_fields ?? [] },
    };
  });
}

export async function findCategory(q: Query, key: string): Promise<Category | null> {
  const [r] = await q<Category>(
    `SELECT key, name_nb AS "nameNb", name_en AS "nameEn", description, default_team_key AS "defaultTeamKey", sensitive,
            form, active, sort_order AS "sortOrder", retention_months AS "retentionMonths",
            first_response_hours AS "firstResponseHours", resolution_hours AS "resolutionHours",
            description_nb AS "descriptionNb", handled_by AS "handledBy", guidance_nb AS "guidanceNb", guidance_en AS "guidanceEn",
            created_at AS "createdAt", updated_at AS "updatedAt"
       FROM category WHERE key = $1`,
    [key],
  );
  return r ?? null;
}

export async function teamExists(q: Query, key: string): Promise<boolean> {
  return (await q(`SELECT 1 FROM team WHERE key = $1`, [key])).length === 1;
}

// ------------------------------------------------------------------------------------ writes

export interface NewCase {
  number: string;
  now: Date;
  categoryKey: string;
  teamKey: string;
  subject: string;
  description: string;
  details: Record<string, unknown>;
  channel: Case['channel'];
  requesterId: string | null;
  requesterName: string | null;
  employeeNumber: string | null;
  concernsEmployee: unknown;
  externalRequester: unknown;
  filedById: string;
  filedByRole: string;
  /** Where the requester's mails go, and their language (contactAtFiling). */
  requesterEmail: string | null;
  language: string;
  /** Default normal. */
  priority?: Priority;
}

export async function insertAttachment(
  q: Query,
  a: { caseId: string; filename: string; contentType: string; data: Buffer; sha256: string; actor: ChangeActor; now: Date },
): Promise<AttachmentMeta> {
  const [r] = await q<AttachmentMeta>(
    `INSERT INTO attachment (id, case_id, filename, content_type, size, sha256, data, uploaded_by_id, uploaded_by_role, created_at)
     VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING id, case_id AS "caseId", filename, content_type AS "contentType", size, sha256,
               uploaded_by_id AS "uploadedById", uploaded_by_role AS "uploadedByRole", created_at AS "createdAt"`,
    [randomUUID(), a.caseId, a.filename, a.contentType, a.data.length, a.sha256, a.data, a.actor.id, a.actor.role, a.now],
  );
  return r!;
}

/** How many files a case holds and their bytes in all (the per-case quota). */
export async function attachmentUsage(q: Query, caseId: string): Promise<{ count: number; bytes: number }> {
  const [r] = await q<{ count: number; bytes: string }>(
    'SELECT count(*)::int AS count, coalesce(sum(size), 0)::bigint AS bytes FROM attachment WHERE case_id = $1::uuid',
    [caseId],
  );
  return { count: r?.count ?? 0, bytes: Number(r?.bytes ?? 0) };
}

/** Reads of sensitive cases, one row each. */
export async function insertAccessLog(
  q: Query,
  rows: ReadonlyArray<{ caseId: string; actorId: string; actorRole: string; endpoint: string; at: Date }>,
): Promise<void> {
  if (rows.length === 0) return;
  await q(
    `INSERT INTO access_log (case_id, actor_id, actor_role, endpoint, at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
    [rows.map((r) => r.caseId), rows.map((r) => r.actorId), rows.map((r) => r.actorRole), rows.map((r) => r.endpoint), rows.map((r) => r.at)],
  );
}

// ------------------------------------------------------------------------- the case's parts

export type MessageRow = Omit<CaseMessage, 'seq'>;

/** Messages of a case in the order written; `internal: false` leaves internal notes out. */
export async function listMessages(q: Query, caseId: string, opts: { internal: boolean }): Promise<MessageRow[]> {
  return q<MessageRow>(
    `SELECT id, case_id AS "caseId", author_id AS "authorId", author_role AS "authorRole", on_behalf_of AS "onBehalfOf",
            visibility::text AS visibility, body, created_at AS "createdAt"
       FROM case_message WHERE case_id = $1::uuid ${opts.internal ? '' : `AND visibility = 'public'`}
      ORDER BY created_at, seq`,
    [caseId],
  );
}

export interface HistoryRow {
  id: string;
  at: Date;
  actorId: string;
  actorRole: string;
  onBehalfOf: string | null;
  field: string;
  fromValue: string | null;
  toValue: string | null;
  reason: string | null;
  internal: boolean;
}

/** The history of a case, oldest first; `internal: false` leaves internal rows out. */
export async function listHistory(q: Query, caseId: string, opts: { internal: boolean }): Promise<HistoryRow[]> {
  return q<HistoryRow>(
    `SELECT id::text, at, actor_id AS "actorId", actor_role AS "actorRole", on_behalf_of AS "onBehalfOf", field,
            from_value AS "fromValue", to_value AS "toValue", reason, internal
       FROM case_history h WHERE case_id = $1::uuid ${opts.internal ? '' : 'AND NOT internal'}
      ORDER BY h.id`,
    [caseId],
  );
}

/** Logged reads of a case, oldest first. */
export async function listAccessLog(q: Query, caseId: string): Promise<Array<{ at: Date; actorId: string; actorRole: string; endpoint: string }>> {
  return q(`SELECT at, actor_id AS "actorId", actor_role AS "actorRole", endpoint FROM access_log WHERE case_id = $1::uuid ORDER BY id`, [caseId]);
}

/** One attachment of a case with its bytes (null once anonymised). */
export async function findAttachment(
  q: Query,
  caseId: string,
  attachmentId: string,
): Promise<{ filename: string; contentType: string; data: Uint8Array | null } | null> {
  const [r] = await q<{ filename: string; contentType: string; data: Uint8Array | null }>(
    `SELECT filename, content_type AS "contentType", data FROM attachment WHERE id = $1::uuid AND case_id = $2::uuid`,
    [attachmentId, caseId],
  );
  return r ?? null;
}
