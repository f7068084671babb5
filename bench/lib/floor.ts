/**
 * The raw-SQL floor: for each scenario, the statements the service sends for one request, sent
 * straight through `pg` with no HTTP, no framework and no DTO mapping. The statements are the
 * service's own: the case scenarios call the functions of src/repositories/ that the service
 * calls (they are SQL text and a row mapping, no ORM), so the floor stays in step by
 * construction; the report checks the counts against the service's trace all the same.
 * What the service does above this is its overhead.
 */
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import {
  findCaseWithAttachments,
  findCategory,
  listCases,
  readCaseForChange,
  type CaseListFilter,
  type CaseRow,
} from '../../src/repositories/case-repository';
import { fileCase } from '../../src/repositories/filing-writer';
import { inTransaction, pgQuery, type Query } from '../../src/db/query';
import { planFiling } from '../../src/domain/filing';
import { plan } from '../../src/domain/plan';
import { writePlans } from '../../src/repositories/plan-writer';
import { loadStoredCalendar } from '../../src/repositories/sla-repository';
import type { ListCasesQuery } from '../../src/schemas/case';
import { caseListFilter } from '../../src/services/case-views';
import { lockWindows } from '../../src/services/windows';
import { CREATE_BODY, type ListQuery } from './scenarios';
import { BENCH_OPERATOR } from './db';

/** The statements of one floor operation, in order (for the report). */
export interface FloorScenario {
  statements: number;
  op(worker: number): Promise<void>;
}

/** As the service: the calendar of views is read at most every 5 s (CaseSlaLoader.CALENDAR_TTL_MS). */
const CALENDAR_TTL_MS = 5000;
let calendarReadAt = -Infinity;

/** The service level of case views: their facts come with the case read; the calendar is read when its copy is old. */
async function calendarOfViews(q: Query): Promise<void> {
  if (performance.now() - calendarReadAt > CALENDAR_TTL_MS) {
    calendarReadAt = performance.now();
    await loadStoredCalendar(q);
  }
}

function eventPayload(row: { id: string; number: string; status: string; version: number }, actorId: string, role: string, now: Date, extra: object) {
  return {
    caseId: row.id,
    number: row.number,
    status: row.status,
    version: row.version,
    actor: { id: actorId, role, onBehalfOf: null },
    at: now.toISOString(),
    ...extra,
  };
}

/** Filing a case: one statement (category check, number, case, history row, event); the category is cached as in the service. */
export function createFloor(pool: pg.Pool, requesters: string[], year: number): FloorScenario {
  const q = pgQuery(pool);
  let n = 0;
  let cat: Awaited<ReturnType<typeof findCategory>> = null;
  let catReadAt = -Infinity;
  return {
    statements: 1,
    op: async () => {
      const sub = requesters[n++ % requesters.length]!;
      const now = new Date();
      if (!cat || performance.now() - catReadAt > CALENDAR_TTL_MS) {
        catReadAt = performance.now();
        cat = (await findCategory(q, CREATE_BODY.categoryKey))!;
      }
      const id = randomUUID();
      const actor = { id: sub, role: 'requester', onBehalfOf: null } as const;
      const row = await fileCase(q, {
        id,
        fields: {
          now,
          categoryKey: cat.key,
          teamKey: cat.defaultTeamKey,
          subject: CREATE_BODY.subject,
          description: CREATE_BODY.description,
          details: {},
          channel: 'portal',
          requesterId: sub,
          requesterName: `Requester ${sub}`,
          employeeNumber: null,
          concernsEmployee: null,
          externalRequester: null,
          filedById: sub,
          filedByRole: 'requester',
          requesterEmail: null,
          language: 'nb',
        },
        year,
        category: { key: cat.key, updatedAt: cat.updatedAt, sensitive: cat.sensitive },
        plan: planFiling({ id, number: '', categoryKey: cat.key, teamKey: cat.defaultTeamKey, channel: 'portal' }, actor, now),
        pendingEmployeeNumber: null,
      });
      if (!row) throw new Error('category changed during the benchmark');
      await calendarOfViews(q);
    },
  };
}

/** Reading one case: the case with category, timer and attachments in one statement, then its service level. */
export function readFloor(pool: pg.Pool, ids: string[]): FloorScenario {
  const q = pgQuery(pool);
  let i = 0;
  return {
    statements: 1,
    op: async () => {
      const id = ids[(i = (i + 7919) % ids.length)]!;
      if (!(await findCaseWithAttachments(q, id))) throw new Error('case not found');
      await calendarOfViews(q);
    },
  };
}

/**
 * A status move as the service's ChangeRunner makes it: the case with its service-level facts and
 * the window epoch in one statement, then the plan (update, timer, history row, event) in one
 * statement guarded by the version and the epoch read (the windows are cached per epoch).
 */
export function transitionFloor(pool: pg.Pool, ids: string[]): (concurrency: number) => FloorScenario {
  // The cases' statuses outlive one run: the next run (another concurrency) starts where it left them.
  const status = new Map(ids.map((id) => [id, 'IN_PROGRESS']));
  return (concurrency) => transitionRun(pool, ids, status, concurrency);
}

function transitionRun(pool: pg.Pool, ids: string[], status: Map<string, string>, concurrency: number): FloorScenario {
  const q = pgQuery(pool);
  // Each worker owns a slice of the pool, so no two moves touch one case at once (as in the HTTP run).
  const cursor = new Array<number>(concurrency).fill(0);
  const per = Math.floor(ids.length / concurrency);
  if (per < 1) throw new Error('transition pool smaller than the concurrency');
  return {
    statements: 2,
    op: async (w) => {
      const id = ids[w * per + (cursor[w] = (cursor[w]! + 1) % per)]!;
      const from = status.get(id)! as CaseRow['status'];
      const to = from === 'IN_PROGRESS' ? 'ON_HOLD' : 'IN_PROGRESS';
      const now = new Date();
      const read = await readCaseForChange(q, id);
      const before = read?.row;
      if (before?.status !== from) throw new Error(`case in ${before?.status}, expected ${from}`);
      const decision = { status: to, statusChanged: true, assigneeId: before.assigneeId, assigneeChanged: false, timer: null } as const;
      const actor = { id: BENCH_OPERATOR, role: 'operator', onBehalfOf: null } as const;
      const rules = { waitingDays: 10, completedDays: 10, timeZone: 'Europe/Oslo', windows: [] };
      const guard = { versions: new Map([[id, before.version]]), windowEpoch: read!.windowEpoch };
      if (!(await writePlans(q, [plan(before, { decision }, actor, now, rules)], guard)).has(id)) throw new Error('case moved during its move');
      status.set(id, to);
      await calendarOfViews(q);
    },
  };
}

/** The filter the service builds for `lq` when the bench operator of `teams` lists. */
export function listFilterOf(lq: ListQuery, teams: readonly string[]): CaseListFilter {
  return caseListFilter({ kind: 'own-or-open', principalId: BENCH_OPERATOR, teams }, lq as ListCasesQuery);
}

/** A listing: the filtered page with relations and service-level facts in one statement. */
export function listFloor(pool: pg.Pool, queries: ListQuery[], teams: string[]): FloorScenario {
  const q = pgQuery(pool);
  let i = 0;
  return {
    statements: 1,
    op: async () => {
      const lq = queries[i++ % queries.length]!;
      await listCases(q, listFilterOf(lq, teams));
      await calendarOfViews(q);
    },
  };
}

/**
 * The timer sweep: batches of `batchSize` as src/services/case-service.ts fireDueTimers writes
 * them (claim with SKIP LOCKED, void the timers, move the cases, history, events, next timers),
 * until a batch comes back short.
 */
export async function sweepFloor(pool: pg.Pool, batchSize: number, completedDays: number): Promise<number> {
  let fired = 0;
  for (;;) {
    const now = new Date();
    const claimed = await inTransaction(pool, async (tx) => {
      await lockWindows(tx, 'shared');
      const due = await tx<{ id: string; number: string; status: string; version: number; from: string; to: string }>(
        `SELECT c.id, c.number, c.status::text AS status, c.assignee_id, c.status_changed_at, c.last_public_reply_at,
                c.version, t.from_status::text AS "from", t.to_status::text AS "to"
           FROM case_timer t JOIN "case" c ON c.id = t.case_id
          WHERE t.due_at <= $1 ORDER BY t.due_at LIMIT $2 FOR UPDATE OF t, c SKIP LOCKED`,
        [now, batchSize],
      );
      if (due.length === 0) return 0;
      const ids = due.map((d) => d.id);
      await tx('DELETE FROM case_timer WHERE case_id = ANY($1::uuid[])', [ids]);
      await tx(
        `UPDATE "case" c SET status = v.status::"CaseStatus", status_changed_at = $1,
                completed_at = CASE WHEN v.status = 'COMPLETED' THEN $1 ELSE c.completed_at END,
                version = c.version + 1, updated_at = $1
           FROM unnest($2::uuid[], $3::text[]) AS v(id, status) WHERE c.id = v.id`,
        [now, ids, due.map((d) => d.to)],
      );
      await tx(
        `INSERT INTO case_history (case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal)
         SELECT h.case_id, $1, 'system', 'system', NULL, 'status', h.from_value, h.to_value, 'timer', false
           FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS h(case_id, from_value, to_value, n) ORDER BY h.n`,
        [now, ids, due.map((d) => d.status), due.map((d) => d.to)],
      );
      await tx(
        `INSERT INTO outbox_event (id, type, case_id, payload, created_at)
         SELECT gen_random_uuid(), 'case.status_changed', e.case_id, e.payload, $1
           FROM unnest($2::uuid[], $3::jsonb[]) WITH ORDINALITY AS e(case_id, payload, n) ORDER BY e.n`,
        [
          now,
          ids,
          due.map((d) =>
            JSON.stringify(
              eventPayload({ ...d, status: d.to, version: d.version + 1 }, 'system', 'system', now, { from: d.status, to: d.to, reason: 'timer' }),
            ),
          ),
        ],
      );
      await tx(
        `INSERT INTO case_timer (case_id, from_status, to_status, entered_at, due_at)
         SELECT t.case_id, 'COMPLETED', 'CLOSED', $1, $1::timestamptz + make_interval(days => $3) FROM unnest($2::uuid[]) AS t(case_id)`,
        [now, ids, completedDays],
      );
      return due.length;
    });
    fired += claimed;
    if (claimed < batchSize) return fired;
  }
}
