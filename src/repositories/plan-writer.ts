/**
 * The one place that stores plans (src/domain/plan.ts): the case row update, the history rows, the
 * outbox events and the timer of any number of changes, in ONE statement (data-modifying CTEs
 * over arrays), whoever the writer is — a request, bulk, the timer sweep, window recomputation,
 * retention, filing. Parts a batch does not need are left out of the statement: an insert into
 * outbox_event takes the outbox writer lock (migration 20261127131013_integration) even for no
 * rows.
 */
import type { CaseUpdate, CasePlan } from '../domain/plan';
import type { Query } from '../db/query';
import { CASE_SCALARS, toCaseRow, type CaseRow, type RawCase } from './case-repository';

/** How each CaseUpdate key is written: its column and how to read it from the update's JSON. */
const COLUMNS: Record<Exclude<keyof CaseUpdate, never>, { column: string; read: (json: string) => string }> = {
  status: { column: 'status', read: (j) => `(${j}->>'status')::"CaseStatus"` },
  statusChangedAt: timestamp('status_changed_at', 'statusChangedAt'),
  completedAt: timestamp('completed_at', 'completedAt'),
  closedAt: timestamp('closed_at', 'closedAt'),
  assigneeId: text('assignee_id', 'assigneeId'),
  lastPublicReplyAt: timestamp('last_public_reply_at', 'lastPublicReplyAt'),
  firstResponseAt: timestamp('first_response_at', 'firstResponseAt'),
  categoryKey: text('category_key', 'categoryKey'),
  teamKey: text('team_key', 'teamKey'),
  subject: text('subject', 'subject'),
  description: text('description', 'description'),
  details: json('details', 'details'),
  requesterId: text('requester_id', 'requesterId'),
  requesterName: text('requester_name', 'requesterName'),
  employeeNumber: text('employee_number', 'employeeNumber'),
  externalRequester: json('external_requester', 'externalRequester'),
  concernsEmployee: json('concerns_employee', 'concernsEmployee'),
  requesterEmail: text('requester_email', 'requesterEmail'),
  ccEmails: { column: 'cc_emails', read: (j) => `ARRAY(SELECT jsonb_array_elements_text(${j}->'ccEmails'))` },
  filedById: text('filed_by_id', 'filedById'),
  anonymisedAt: timestamp('anonymised_at', 'anonymisedAt'),
  priority: { column: 'priority', read: (j) => `(${j}->>'priority')::"Priority"` },
  tags: { column: 'tags', read: (j) => `ARRAY(SELECT jsonb_array_elements_text(${j}->'tags'))` },
  updatedAt: timestamp('updated_at', 'updatedAt'),
};

function timestamp(column: string, key: string) {
  return { column, read: (j: string) => `(${j}->>'${key}')::timestamptz` };
}
function text(column: string, key: string) {
  return { column, read: (j: string) => `${j}->>'${key}'` };
}
function json(column: string, key: string) {
  // A JSON null is SQL NULL in the column.
  return { column, read: (j: string) => `NULLIF(${j}->'${key}', 'null'::jsonb)` };
}

/**
 * Writes `plans` in one statement and returns the updated cases (those whose plan has an
 * `update`) as they are afterwards, with their category's sensitivity and their timer.
 */
export async function writePlans(q: Query, plans: readonly CasePlan[]): Promise<Map<string, CaseRow>> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const ctes: string[] = [];

  const updates = plans.filter((x) => x.update !== null);
  if (updates.length > 0) {
    const keys = [...new Set(updates.flatMap((x) => Object.keys(x.update!)))] as Array<keyof CaseUpdate>;
    const sets = keys.map((k) => {
      const { column, read } = COLUMNS[k];
      return `${column} = CASE WHEN v.u ? '${k}' THEN ${read('v.u')} ELSE c.${column} END`;
    });
    ctes.push(`upd AS (
      UPDATE "case" c SET version = c.version + 1, ${sets.join(', ')}
        FROM unnest(${p(updates.map((x) => x.caseId))}::uuid[], ${p(updates.map((x) => JSON.stringify(x.update)))}::jsonb[]) AS v(id, u)
       WHERE c.id = v.id
      RETURNING c.*)`);
  }

  const dropped = plans.filter((x) => x.timer.kind === 'drop').map((x) => x.caseId);
  if (dropped.length > 0) {
    ctes.push(`tdrop AS (DELETE FROM case_timer t WHERE t.case_id = ANY(${p(dropped)}::uuid[]))`);
  }
  const set = plans.flatMap((x) => (x.timer.kind === 'set' ? [{ caseId: x.caseId, ...x.timer }] : []));
  if (set.length > 0) {
    ctes.push(`tset AS (
      INSERT INTO case_timer (case_id, from_status, to_status, entered_at, due_at)
      SELECT * FROM unnest(${p(set.map((t) => t.caseId))}::uuid[], ${p(set.map((t) => t.from))}::"CaseStatus"[],
                           ${p(set.map((t) => t.to))}::"CaseStatus"[], ${p(set.map((t) => t.enteredAt))}::timestamptz[],
                           ${p(set.map((t) => t.dueAt))}::timestamptz[])
      ON CONFLICT (case_id) DO UPDATE SET from_status = EXCLUDED.from_status, to_status = EXCLUDED.to_status,
                                          entered_at = EXCLUDED.entered_at, due_at = EXCLUDED.due_at)`);
  }

  const history = plans.flatMap((x) => x.history.map((h) => ({ ...h, plan: x })));
  if (history.length > 0) {
    ctes.push(`hist AS (
      INSERT INTO case_history (case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal)
      SELECT h.case_id, h.at, h.actor_id, h.actor_role, h.on_behalf_of, h.field, h.from_value, h.to_value, h.reason, h.internal
        FROM unnest(${p(history.map((h) => h.plan.caseId))}::uuid[], ${p(history.map((h) => h.plan.at))}::timestamptz[],
                    ${p(history.map((h) => h.plan.actor.id))}::text[], ${p(history.map((h) => h.plan.actor.role))}::text[],
                    ${p(history.map((h) => h.plan.actor.onBehalfOf))}::text[], ${p(history.map((h) => h.field))}::text[],
                    ${p(history.map((h) => h.from ?? null))}::text[], ${p(history.map((h) => h.to ?? null))}::text[],
                    ${p(history.map((h) => h.reason ?? null))}::text[], ${p(history.map((h) => h.internal ?? false))}::boolean[])
             WITH ORDINALITY AS h(case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal, n)
       ORDER BY h.n)`);
  }

  const events = plans.flatMap((x) => x.events.map((e) => ({ ...e, at: x.at })));
  if (events.length > 0) {
    ctes.push(`ev AS (
      INSERT INTO outbox_event (id, type, case_id, payload, created_at)
      SELECT gen_random_uuid(), e.type, e.case_id, e.payload, e.created_at
        FROM unnest(${p(events.map((e) => e.type))}::text[], ${p(events.map((e) => e.caseId))}::uuid[],
                    ${p(events.map((e) => JSON.stringify(e.payload)))}::jsonb[], ${p(events.map((e) => e.at))}::timestamptz[])
             WITH ORDINALITY AS e(type, case_id, payload, created_at, n)
       ORDER BY e.n)`);
  }
  if (ctes.length === 0) return new Map();

  // The outer SELECT sees the timers as they were before this statement; the plan says what they are now.
  const select =
    updates.length > 0
      ? `SELECT ${CASE_SCALARS}, cat.sensitive AS category_sensitive, t.to_status::text AS timer_to, t.due_at AS timer_due_at
           FROM upd c JOIN category cat ON cat.key = c.category_key LEFT JOIN case_timer t ON t.case_id = c.id`
      : 'SELECT 1';
  const rows = await q<RawCase>(`WITH ${ctes.join(',\n')}\n${select}`, params);
  const out = new Map<string, CaseRow>();
  if (updates.length === 0) return out;
  const byId = new Map(plans.map((x) => [x.caseId, x]));
  for (const r of rows) {
    const row = toCaseRow(r);
    const timer = byId.get(row.id)!.timer;
    if (timer.kind === 'drop') row.timer = null;
    if (timer.kind === 'set') row.timer = { toStatus: timer.to, dueAt: timer.dueAt };
    out.set(row.id, row);
  }
  return out;
}
