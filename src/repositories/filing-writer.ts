/**
 * Filing in ONE statement (docs/decisions/one-statement-writes.md): the category check, the case
 * number (case_number_next, a sequence: decision record case-number-sequence.md), the case row,
 * its filing plan's history rows and events, and the pending requester match. The case_sla row
 * follows from the insert trigger.
 */
import type { CasePlan } from '../domain/plan';
import { prepared, type Query } from '../db/query';
import { CASE_SCALARS, toCaseRow, type CaseRow, type NewCase, type RawCase } from './case-repository';

export interface FilingWrite {
  /** The new case's id (the plan's caseId). */
  id: string;
  /** The case's fields; `number` is made by the statement from `year`'s counter. */
  fields: Omit<NewCase, 'number'>;
  year: number;
  /** The category as the service validated against it: nothing is written if it changed or was deactivated since. */
  category: { key: string; updatedAt: Date; sensitive: boolean };
  /** planFiling's plan; the events' `number` is filled in by the statement. */
  plan: CasePlan;
  /** A staff filing naming an employee number the directory does not know yet. */
  pendingEmployeeNumber: string | null;
}

/** JSON values go to jsonb as text: `pg` would turn a JS array into a PostgreSQL array. */
function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** Files the case; null when the category changed meanwhile (reload it and try again). */
export async function fileCase(q: Query, w: FilingWrite): Promise<CaseRow | null> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const c = w.fields;
  const now = p(c.now);
  const { plan } = w;
  const [r] = await q<RawCase>(
    // The same text for every filing (every parameter is always bound): parsed once per connection.
    prepared(`WITH cat AS (
       SELECT key, first_response_hours, resolution_hours FROM category
        WHERE key = ${p(w.category.key)} AND active AND updated_at = ${p(w.category.updatedAt)} FOR SHARE),
     num AS (SELECT ${p(w.year)}::int AS year, case_number_next(${p(w.year)}) AS last FROM cat),
     ins AS (
       INSERT INTO "case" AS c (id, number, status, status_changed_at, category_key, team_key, subject, description, details,
                                channel, requester_id, requester_name, employee_number, concerns_employee, external_requester,
                                filed_by_id, filed_by_role, requester_email, language, priority, version, created_at, updated_at)
       SELECT ${p(w.id)}::uuid, num.year::text || '-' || lpad(num.last::text, greatest(6, length(num.last::text)), '0'), 'REGISTERED', ${now}, ${p(c.categoryKey)},
              ${p(c.teamKey)}, ${p(c.subject)}, ${p(c.description)}, ${p(json(c.details))}::jsonb, ${p(c.channel)}::"Channel",
              ${p(c.requesterId)}, ${p(c.requesterName)}, ${p(c.employeeNumber)}, ${p(json(c.concernsEmployee))}::jsonb,
              ${p(json(c.externalRequester))}::jsonb, ${p(c.filedById)}, ${p(c.filedByRole)}, ${p(c.requesterEmail)}, ${p(c.language)},
              ${p(c.priority ?? 'normal')}::"Priority", 1, ${now}, ${now}
         FROM num
       RETURNING ${CASE_SCALARS}),
     hist AS (
       INSERT INTO case_history (case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal)
       SELECT ins.id, ${now}, ${p(plan.actor.id)}, ${p(plan.actor.role)}, ${p(plan.actor.onBehalfOf)}, h.field, h.from_value,
              h.to_value, h.reason, h.internal
         FROM ins, unnest(${p(plan.history.map((h) => h.field))}::text[], ${p(plan.history.map((h) => h.from ?? null))}::text[],
                          ${p(plan.history.map((h) => h.to ?? null))}::text[], ${p(plan.history.map((h) => h.reason ?? null))}::text[],
                          ${p(plan.history.map((h) => h.internal ?? false))}::boolean[])
                   WITH ORDINALITY AS h(field, from_value, to_value, reason, internal, n)
        ORDER BY h.n),
     ev AS (
       INSERT INTO outbox_event (id, type, case_id, payload, created_at)
       SELECT gen_random_uuid(), e.type, ins.id, e.payload || jsonb_build_object('number', ins.number), ${now}
         FROM ins, unnest(${p(plan.events.map((e) => e.type))}::text[], ${p(plan.events.map((e) => JSON.stringify(e.payload)))}::jsonb[])
                   WITH ORDINALITY AS e(type, payload, n)
        ORDER BY e.n),
     rm AS (
       INSERT INTO requester_match (case_id, employee_number, created_at)
       SELECT ins.id, m.employee_number, ${now} FROM ins, (SELECT ${p(w.pendingEmployeeNumber)}::text AS employee_number) m
        WHERE m.employee_number IS NOT NULL)
     SELECT c.*, ${p(w.category.sensitive)}::boolean AS category_sensitive, NULL::text AS timer_to, NULL::timestamptz AS timer_due_at,
            cat.first_response_hours, cat.resolution_hours, '[]'::json AS sla_changes
       FROM ins c, cat`),
    params,
  );
  return r ? toCaseRow(r) : null;
}
