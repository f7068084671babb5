/**
 * The statements of the case hot paths (view, file, change), in SQL through `pg`; the list page is
 * src/repositories/case-list.ts.
 *
 * Prisma stays the source of the schema and the client of the cold paths; these functions read
 * and write the same tables with the same column names, and their row types are Prisma's
 * generated model types, so a column added to schema.prisma and not mapped here fails to compile
 * (toCaseRow builds every field by name). docs/decisions/hot-path-sql.md says why.
 */
import { randomUUID } from 'node:crypto';
import type { Attachment, Case, CaseMessage, Category } from '../generated/prisma/client';
import type { ChangeActor } from '../domain/plan';
import type { StatusChange } from '../domain/sla';
import type { Status } from '../domain/statuses';
import type { Priority, PriorityTargets } from '../domain/triage';
import { prepared, type Query } from '../db/query';

/**
 * A case with what every view of it needs: its category's sensitivity and its pending timer. Its
 * status changes (the `status_changes` column) are read only with its service-level facts
 * (`slaFacts.changes`).
 */
export type CaseRow = Omit<Case, 'statusChanges'> & {
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

/** The scalars of the case (alias c) and its timer's (t), without its category's facts. */
export const CASE_ROW_COLUMNS = `${CASE_SCALARS}, t.to_status::text AS timer_to, t.due_at AS timer_due_at`;

/** The scalars of the case (alias c) and its relations' fields, as toCaseRow reads them. */
const CASE_COLUMNS = `${CASE_ROW_COLUMNS}, cat.sensitive AS category_sensitive`;

/**
 * The case's (alias c) status changes, oldest first, which its service level is computed from: a
 * column of the row, kept by the writer of plans with the history (docs/decisions/list-sla-facts.md).
 */
export const CASE_SLA_CHANGES = `c.status_changes AS sla_changes`;

/** The case's (alias c) service-level facts, as toCaseRow reads them into `slaFacts`. */
const CASE_SLA_COLUMNS = `cat.first_response_hours, cat.resolution_hours, cat.priority_targets, ${CASE_SLA_CHANGES}`;

/**
 * What a case's row takes from its category: whether it is sensitive and its service-level
 * targets. A list page reads them from a copy instead of a join (CategoryFactsSource).
 */
export interface CategoryFacts {
  sensitive: boolean;
  firstResponseHours: number;
  resolutionHours: number;
  priorityTargets: PriorityTargets;
}

/**
 * The categories' facts by key, as of at least a given category epoch (the `category_epoch` row,
 * bumped in every transaction that changes a category; docs/decisions/category-facts.md).
 */
export interface CategoryFactsSource {
  atLeast(epoch: number): Promise<ReadonlyMap<string, CategoryFacts>>;
}

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

/**
 * The row a statement read, as a CaseRow. `cat`: the category's facts from a copy, for a statement
 * that did not join the category (it reads the status changes, `sla_changes`, all the same).
 */
export function toCaseRow(r: RawCase): CaseRow;
export function toCaseRow(r: Omit<RawCase, 'category_sensitive'>, cat: CategoryFacts): CaseRow;
export function toCaseRow(r: Omit<RawCase, 'category_sensitive'>, cat?: CategoryFacts): CaseRow {
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
    category: { sensitive: cat ? cat.sensitive : (r as RawCase).category_sensitive },
    timer: r.timer_to && r.timer_due_at ? { toStatus: r.timer_to, dueAt: r.timer_due_at } : null,
    ...(cat
      ? {
          slaFacts: {
            firstResponseHours: cat.firstResponseHours,
            resolutionHours: cat.resolutionHours,
            priorityTargets: cat.priorityTargets,
            changes: slaChanges(r),
          },
        }
      : r.first_response_hours === undefined
        ? {}
        : {
            slaFacts: {
              firstResponseHours: Number(r.first_response_hours),
              resolutionHours: Number(r.resolution_hours),
              priorityTargets: r.priority_targets ?? {},
              changes: slaChanges(r),
            },
          }),
  };
}

function slaChanges(r: Pick<RawCase, 'sla_changes'>): StatusChange[] | null {
  return r.sla_changes ? r.sla_changes.map((c) => ({ at: new Date(c.at), to: c.to })) : null;
}

// ------------------------------------------------------------------------------------- reads

const FIND_CASE_SQL = prepared(`SELECT ${CASE_COLUMNS} FROM ${CASE_FROM} WHERE c.id = $1::uuid`);

export async function findCase(q: Query, id: string): Promise<CaseRow | null> {
  const [r] = await q<RawCase>(FIND_CASE_SQL, [id]);
  return r ? toCaseRow(r) : null;
}

const FIND_CASE_WITH_ATTACHMENTS_SQL = prepared(
  `SELECT ${CASE_COLUMNS}, ${CASE_SLA_COLUMNS},
            coalesce((SELECT json_agg(json_build_object(
                        'id', a.id, 'caseId', a.case_id, 'filename', a.filename, 'contentType', a.content_type,
                        'size', a.size, 'sha256', a.sha256, 'uploadedById', a.uploaded_by_id,
                        'uploadedByRole', a.uploaded_by_role, 'createdAt', a.created_at) ORDER BY a.created_at, a.id)
                        FROM attachment a WHERE a.case_id = c.id), '[]'::json) AS attachments
       FROM ${CASE_FROM} WHERE c.id = $1::uuid`,
);

/** A case with its attachments' metadata (never their bytes), in one statement. */
export async function findCaseWithAttachments(q: Query, id: string): Promise<{ row: CaseRow; attachments: AttachmentMeta[] } | null> {
  const [r] = await q<RawCase & { attachments: Array<Omit<AttachmentMeta, 'createdAt'> & { createdAt: string }> }>(FIND_CASE_WITH_ATTACHMENTS_SQL, [
    id,
  ]);
  if (!r) return null;
  return { row: toCaseRow(r), attachments: r.attachments.map((a) => ({ ...a, createdAt: new Date(a.createdAt) })) };
}

const LOCK_CASE_SQL = prepared(`SELECT id FROM "case" WHERE id = $1::uuid FOR UPDATE`);

/**
 * Takes the row lock that serialises changes to one case; false when there is no such case. Only
 * changes that store rows of their own before the plan (an upload) take it; the others are
 * optimistic (docs/decisions/one-statement-writes.md).
 */
export async function lockCase(q: Query, id: string): Promise<boolean> {
  return (await q(LOCK_CASE_SQL, [id])).length === 1;
}

const READ_FOR_CHANGE_SQL = prepared(
  `SELECT ${CASE_COLUMNS}, ${CASE_SLA_COLUMNS}, (SELECT epoch FROM window_epoch WHERE id = 1) AS window_epoch
       FROM ${CASE_FROM} WHERE c.id = $1::uuid`,
);

/** The case a change decides on, with its service-level facts and the epoch of the suspension windows, in one statement. */
export async function readCaseForChange(q: Query, id: string): Promise<{ row: CaseRow; windowEpoch: number } | null> {
  const [r] = await q<RawCase & { window_epoch: number }>(READ_FOR_CHANGE_SQL, [id]);
  return r ? { row: toCaseRow(r), windowEpoch: r.window_epoch } : null;
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
