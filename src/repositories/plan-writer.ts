/**
 * The one place that stores plans (src/domain/plan.ts): the case row update, the history rows, the
 * outbox events and the timer of any number of changes, in ONE statement (data-modifying CTEs
 * over arrays), whoever the writer is — a request, bulk, the timer sweep, window recomputation,
 * retention, filing. Parts a batch does not need are left out of the statement: an insert into
 * outbox_event takes the outbox writer lock (migration 20261127131013_integration) even for no
 * rows.
 */
import type { CaseUpdate, CasePlan } from '../domain/plan';
import { prepared, type Query } from '../db/query';
import { CASE_SCALARS, toCaseRow, type CaseRow, type RawCase } from './case-repository';

/** How each CaseUpdate key is written: its column and how to read it from the update's JSON. */
const COLUMNS: Record<Exclude<keyof CaseUpdate, never>, { column: string; read: (json: string) => string }> = {
  status: { column: 'status', read: (j) => `(${j}->>'status')::"CaseStatus"` },
  statusChangedAt: timestamp('status_changed_at', 'statusChangedAt'),
  completedAt: timestamp('completed_at', 'completedAt'),
  closedAt: timestamp('closed_at', 'closedAt'),
  resolution: { column: 'resolution', read: (j) => `(${j}->>'resolution')::"CaseResolution"` },
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
  mergedIntoId: { column: 'merged_into_id', read: (j) => `(${j}->>'mergedIntoId')::uuid` },
  priority: { column: 'priority', read: (j) => `(${j}->>'priority')::"Priority"` },
  tags: { column: 'tags', read: (j) => `ARRAY(SELECT jsonb_array_elements_text(${j}->'tags'))` },
  updatedAt: timestamp('updated_at', 'updatedAt'),
};

/**
 * The status changes a plan appends to its case's `status_changes` (JSON, or null for none): its
 * status history rows, at the plan's instant, so the row's list and its history never disagree
 * (docs/decisions/list-sla-facts.md).
 */
function statusChangesOf(x: CasePlan): string | null {
  const changes = x.history.filter((h) => h.field === 'status').map((h) => ({ at: x.at, to: h.to }));
  return changes.length > 0 ? JSON.stringify(changes) : null;
}

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
 * Optimistic concurrency for a request's change (docs/decisions/one-statement-writes.md): the
 * statement writes a plan only while its case is still at the version the change was decided
 * on, and only while the suspension windows are still at `windowEpoch` (the `window_epoch` row,
 * taken FOR SHARE: a window edit in flight makes the statement wait, and READ COMMITTED then
 * re-checks the committed epoch). A plan whose case moved on writes nothing at all.
 */
export interface WriteGuard {
  /** The version each guarded case was read at. */
  versions: ReadonlyMap<string, number>;
  windowEpoch: number;
}

/**
 * Writes `plans` in one statement and returns the updated cases (those whose plan has an
 * `update` or `quiet` columns; none with `returnCases: false`) as they are afterwards, with their category's sensitivity and
 * service-level targets and their timer. With a `guard`, a case missing from the answer was
 * not written (it changed meanwhile, or the windows did): re-read and decide again.
 */
export async function writePlans(
  q: Query,
  plans: readonly CasePlan[],
  guard?: WriteGuard,
  opts: { returnCases?: boolean } = {},
): Promise<Map<string, CaseRow>> {
  // A writer that does not read the cases back (the timer sweep) spares the statement the join
  // and the transfer and parsing of every updated row.
  const returnCases = opts.returnCases ?? true;
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const ctes: string[] = [];
  // Under a guard every other part of a plan is written only if its case row was: `written(x)`
  // is the condition for a case id expression x.
  const written = (x: string) => (guard ? ` AND ${x} IN (SELECT id FROM upd)` : '');

  // Each plan's status changes, worked out once (the filter below and the update's rows read them).
  const statusChanges = new Map(plans.map((x) => [x, statusChangesOf(x)]));
  const updates = plans.filter((x) => x.update !== null || x.quiet !== undefined || guard || statusChanges.get(x) !== null);
  if (guard) {
    ctes.push(`guard AS (SELECT epoch FROM window_epoch WHERE id = 1 AND epoch = ${p(guard.windowEpoch)} FOR SHARE)`);
  }
  if (updates.length > 0) {
    const keys = [...new Set(updates.flatMap((x) => [...Object.keys(x.update ?? {}), ...Object.keys(x.quiet ?? {})]))] as Array<keyof CaseUpdate>;
    const sets = keys.map((k) => {
      const { column, read } = COLUMNS[k];
      // A requester's address never comes back to an anonymised case (anonymisation itself sets null).
      const cond = k === 'requesterEmail' ? ` AND (v.u->>'requesterEmail' IS NULL OR c.anonymised_at IS NULL)` : '';
      return `${column} = CASE WHEN v.u ? '${k}'${cond} THEN ${read('v.u')} ELSE c.${column} END`;
    });
    const versionCheck = guard ? ` AND c.version = v.expected AND EXISTS (SELECT 1 FROM guard)` : '';
    const u = {
      id: updates.map((x) => x.caseId),
      json: updates.map((x) => JSON.stringify({ ...x.quiet, ...x.update })),
      bump: updates.map((x) => x.update !== null),
      expected: updates.map((x) => guard?.versions.get(x.caseId) ?? null),
      statusChanges: updates.map((x) => statusChanges.get(x) ?? null),
    };
    // One case (every request's change) as one row of scalars, not arrays: PostgreSQL's generic plan
    // of a named statement guesses 10 elements for an array parameter, so it cost 85 against the
    // custom plans' 8.5 and every run was planned again (0.7 ms of a transition's 2.1 ms of
    // PostgreSQL CPU; decision record prepared-statements.md). A row of scalars is 1 row in both.
    const rowsOf =
      updates.length === 1
        ? `(VALUES (${p(u.id[0])}::uuid, ${p(u.json[0])}::jsonb, ${p(u.bump[0])}::boolean, ${p(u.expected[0])}::int, ${p(u.statusChanges[0])}::jsonb))`
        : `unnest(${p(u.id)}::uuid[], ${p(u.json)}::jsonb[],
                    ${p(u.bump)}::boolean[], ${p(u.expected)}::int[], ${p(u.statusChanges)}::jsonb[])`;
    ctes.push(`upd AS (
      UPDATE "case" c SET version = c.version + CASE WHEN v.bump THEN 1 ELSE 0 END${sets.map((x) => `, ${x}`).join('')},
             status_changes = CASE WHEN v.status_changes IS NULL THEN c.status_changes ELSE c.status_changes || v.status_changes END
        FROM ${rowsOf}
             AS v(id, u, bump, expected, status_changes)
       WHERE c.id = v.id${versionCheck}
      RETURNING ${returnCases ? 'c.*' : 'c.id'})`);
  }

  const dropped = plans.filter((x) => x.timer.kind === 'drop').map((x) => x.caseId);
  if (dropped.length > 0) {
    // One case as `=`, for the same reason as the update's row of scalars.
    const which = dropped.length === 1 ? `= ${p(dropped[0])}::uuid` : `= ANY(${p(dropped)}::uuid[])`;
    ctes.push(`tdrop AS (DELETE FROM case_timer t WHERE t.case_id ${which}${written('t.case_id')})`);
  }
  const set = plans.flatMap((x) => (x.timer.kind === 'set' ? [{ caseId: x.caseId, ...x.timer }] : []));
  if (set.length > 0) {
    ctes.push(`tset AS (
      INSERT INTO case_timer (case_id, from_status, to_status, entered_at, due_at)
      SELECT * FROM unnest(${p(set.map((t) => t.caseId))}::uuid[], ${p(set.map((t) => t.from))}::"CaseStatus"[],
                           ${p(set.map((t) => t.to))}::"CaseStatus"[], ${p(set.map((t) => t.enteredAt))}::timestamptz[],
                           ${p(set.map((t) => t.dueAt))}::timestamptz[]) AS s(case_id, from_status, to_status, entered_at, due_at)
       WHERE true${written('s.case_id')}
      ON CONFLICT (case_id) DO UPDATE SET from_status = EXCLUDED.from_status, to_status = EXCLUDED.to_status,
                                          entered_at = EXCLUDED.entered_at, due_at = EXCLUDED.due_at)`);
  }

  const messages = plans.flatMap((x) => (x.newMessage ? [{ ...x.newMessage, plan: x }] : []));
  if (messages.length > 0) {
    ctes.push(`msg AS (
      INSERT INTO case_message (id, case_id, author_id, author_role, on_behalf_of, visibility, body, created_at)
      SELECT m.id, m.case_id, m.author_id, m.author_role, m.on_behalf_of, m.visibility::"Visibility", m.body, m.created_at
        FROM unnest(${p(messages.map((m) => m.id))}::uuid[], ${p(messages.map((m) => m.plan.caseId))}::uuid[],
                    ${p(messages.map((m) => m.plan.actor.id))}::text[], ${p(messages.map((m) => m.plan.actor.role))}::text[],
                    ${p(messages.map((m) => m.plan.actor.onBehalfOf))}::text[], ${p(messages.map((m) => m.visibility))}::text[],
                    ${p(messages.map((m) => m.body))}::text[], ${p(messages.map((m) => m.plan.at))}::timestamptz[])
             WITH ORDINALITY AS m(id, case_id, author_id, author_role, on_behalf_of, visibility, body, created_at, n)
       WHERE true${written('m.case_id')}
       ORDER BY m.n)`);
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
       WHERE true${written('h.case_id')}
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
       WHERE true${written('e.case_id')}
       ORDER BY e.n)`);
  }
  if (ctes.length === 0) return new Map();

  // The outer SELECT sees the timers as they were before this statement; the plan says what they are now.
  const select =
    updates.length > 0 && returnCases
      ? `SELECT ${CASE_SCALARS}, cat.sensitive AS category_sensitive, t.to_status::text AS timer_to, t.due_at AS timer_due_at,
                cat.first_response_hours, cat.resolution_hours
           FROM upd c JOIN category cat ON cat.key = c.category_key LEFT JOIN case_timer t ON t.case_id = c.id`
      : 'SELECT 1';
  // The text depends on the plans' shape (the columns set, which rows are written), not on their values.
  const rows = await q<RawCase>(prepared(`WITH ${ctes.join(',\n')}\n${select}`), params);
  const out = new Map<string, CaseRow>();
  if (updates.length === 0 || !returnCases) return out;
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
