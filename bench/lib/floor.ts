/**
 * The raw-SQL floor: for each scenario, the statements the service sends for one request (read
 * off src/services/case-service.ts and checked against the service's own trace, which the report
 * prints beside these counts), sent straight through `pg` with no HTTP, no framework, no ORM
 * and no DTO mapping. What the service does above this is its overhead.
 *
 * Keep these in step with the service: when a use case gains or loses a statement, the
 * "statements per request" columns of bench/results.md stop matching.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CREATE_BODY, type ListQuery } from './scenarios';
import { BENCH_OPERATOR } from './db';

/** The statements of one floor operation, in order (for the report). */
export interface FloorScenario {
  statements: number;
  op(worker: number): Promise<void>;
}

// pg_advisory_xact_lock keys of src/services/windows.ts (WINDOWS_LOCK_KEY).
const WINDOWS_LOCK_KEY = 0x5a4b5357;

/** The case's scalar columns plus the category and timer the service includes, as one lateral join. */
const CASE_WITH_RELATIONS = `
  SELECT t0.*, cat.data AS category, tim.data AS timer
    FROM "case" t0
    LEFT JOIN LATERAL (SELECT jsonb_build_object('sensitive', t1.sensitive) AS data
                         FROM category t1 WHERE t0.category_key = t1.key LIMIT 1) cat ON true
    LEFT JOIN LATERAL (SELECT jsonb_build_object('toStatus', t2.to_status, 'dueAt', t2.due_at) AS data
                         FROM case_timer t2 WHERE t0.id = t2.case_id LIMIT 1) tim ON true`;

/** The two statements of a case view's service level (src/services/sla-service.ts CaseSlaLoader). */
async function slaOfViews(pool: pg.Pool, ids: string[]): Promise<void> {
  await Promise.all([
    pool.query(`SELECT (SELECT coalesce(json_agg(json_build_object('weekday', weekday, 'start', opens, 'end', closes)), '[]'::json)
                          FROM service_hours) AS hours,
                       (SELECT coalesce(json_agg(to_char(date, 'YYYY-MM-DD') ORDER BY date), '[]'::json) FROM closed_day) AS closed`),
    pool.query(
      `SELECT c.id, c.created_at, c.first_response_at, cat.first_response_hours, cat.resolution_hours,
              coalesce((SELECT json_agg(json_build_object('at', h.at, 'to', h.to_value) ORDER BY h.id)
                          FROM case_history h WHERE h.case_id = c.id AND h.field = 'status'), '[]'::json) AS changes
         FROM "case" c JOIN category cat ON cat.key = c.category_key
        WHERE c.id = ANY($1::uuid[])`,
      [ids],
    ),
  ]);
}

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

function eventPayload(row: { id: string; number: string; status: string; version: number }, actorId: string, role: string, now: Date, extra: object): string {
  return JSON.stringify({
    caseId: row.id,
    number: row.number,
    status: row.status,
    version: row.version,
    actor: { id: actorId, role, onBehalfOf: null },
    at: now.toISOString(),
    ...extra,
  });
}

/** Filing a case: category lookup, then number, case, history row and event in one transaction. */
export function createFloor(pool: pg.Pool, requesters: string[], year: number): FloorScenario {
  let n = 0;
  return {
    statements: 9,
    op: async () => {
      const sub = requesters[n++ % requesters.length]!;
      const now = new Date();
      const { rows: cats } = await pool.query('SELECT * FROM category WHERE key = $1 LIMIT 1', [CREATE_BODY.categoryKey]);
      const cat = cats[0] as { key: string; default_team_key: string };
      const row = await inTransaction(pool, async (c) => {
        const { rows: counter } = await c.query<{ last: number }>(
          `INSERT INTO case_number_counter (year, last) VALUES ($1, 1)
           ON CONFLICT (year) DO UPDATE SET last = case_number_counter.last + 1 RETURNING last`,
          [year],
        );
        const number = `${year}-${String(counter[0]!.last).padStart(6, '0')}`;
        const { rows } = await c.query<{ id: string; number: string; status: string; version: number }>(
          `INSERT INTO "case" (id, number, status, status_changed_at, category_key, team_key, subject, description, details,
                               channel, requester_id, requester_name, employee_number, filed_by_id, filed_by_role, version,
                               created_at, updated_at)
           VALUES ($1, $2, 'REGISTERED', $3, $4, $5, $6, $7, '{}', 'portal', $8, $9, NULL, $8, 'requester', 1, $3, $3)
           RETURNING *`,
          [randomUUID(), number, now, cat.key, cat.default_team_key, CREATE_BODY.subject, CREATE_BODY.description, sub, `Requester ${sub}`],
        );
        const r = rows[0]!;
        await c.query(
          `INSERT INTO case_history (case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal)
           VALUES ($1, $2, $3, 'requester', NULL, 'created', NULL, 'REGISTERED', NULL, false)`,
          [r.id, now, sub],
        );
        await c.query('INSERT INTO outbox_event (id, type, case_id, payload, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
          randomUUID(),
          'case.created',
          r.id,
          eventPayload(r, sub, 'requester', now, { categoryKey: cat.key, teamKey: cat.default_team_key, channel: 'portal' }),
          now,
        ]);
        return r;
      });
      await slaOfViews(pool, [row.id]);
    },
  };
}

/** Reading one case: the case with category, timer and attachments in one statement, then its service level. */
export function readFloor(pool: pg.Pool, ids: string[]): FloorScenario {
  let i = 0;
  return {
    statements: 3,
    op: async () => {
      const id = ids[(i = (i + 7919) % ids.length)]!;
      const { rows } = await pool.query(
        `${CASE_WITH_RELATIONS}
         LEFT JOIN LATERAL (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'filename', a.filename,
                                   'contentType', a.content_type, 'size', a.size, 'sha256', a.sha256,
                                   'uploadedById', a.uploaded_by_id, 'uploadedByRole', a.uploaded_by_role,
                                   'createdAt', a.created_at) ORDER BY a.created_at), '[]') AS data
                              FROM attachment a WHERE a.case_id = t0.id) att ON true
         WHERE t0.id = $1 LIMIT 1`,
        [id],
      );
      if (rows.length !== 1) throw new Error('case not found');
      await slaOfViews(pool, [id]);
    },
  };
}

/**
 * A status move: the windows lock and windows, the row lock, the case, its timer, the update
 * read back with its relations, a history row and an event, then the view's service level.
 */
export function transitionFloor(pool: pg.Pool, ids: string[]): (concurrency: number) => FloorScenario {
  // The cases' statuses outlive one run: the next run (another concurrency) starts where it left them.
  const status = new Map(ids.map((id) => [id, 'IN_PROGRESS']));
  return (concurrency) => transitionRun(pool, ids, status, concurrency);
}

function transitionRun(pool: pg.Pool, ids: string[], status: Map<string, string>, concurrency: number): FloorScenario {
  // Each worker owns a slice of the pool, so no two moves touch one case at once (as in the HTTP run).
  const cursor = new Array<number>(concurrency).fill(0);
  const per = Math.floor(ids.length / concurrency);
  if (per < 1) throw new Error('transition pool smaller than the concurrency');
  return {
    statements: 13,
    op: async (w) => {
      const id = ids[w * per + (cursor[w]! = (cursor[w]! + 1) % per)]!;
      const from = status.get(id)!;
      const to = from === 'IN_PROGRESS' ? 'ON_HOLD' : 'IN_PROGRESS';
      const now = new Date();
      await inTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock_shared($1::bigint)', [WINDOWS_LOCK_KEY]);
        await c.query('SELECT * FROM suspension_window ORDER BY from_date, id');
        await c.query('SELECT id FROM "case" WHERE id = $1::uuid FOR UPDATE', [id]);
        const { rows: before } = await c.query(`${CASE_WITH_RELATIONS} WHERE t0.id = $1 LIMIT 1`, [id]);
        if (before[0]?.status !== from) throw new Error(`case in ${before[0]?.status}, expected ${from}`);
        await c.query('DELETE FROM case_timer WHERE case_id = $1', [id]);
        await c.query(
          `UPDATE "case" SET status = $1::"CaseStatus", status_changed_at = $2, version = version + 1, updated_at = $2
            WHERE id = $3 RETURNING id`,
          [to, now, id],
        );
        const { rows: after } = await c.query<{ id: string; number: string; status: string; version: number }>(
          `${CASE_WITH_RELATIONS} WHERE t0.id = $1 LIMIT 1`,
          [id],
        );
        await c.query(
          `INSERT INTO case_history (case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal)
           VALUES ($1, $2, $3, 'operator', NULL, 'status', $4, $5, NULL, false)`,
          [id, now, BENCH_OPERATOR, from, to],
        );
        await c.query('INSERT INTO outbox_event (id, type, case_id, payload, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
          randomUUID(),
          'case.status_changed',
          id,
          eventPayload(after[0]!, BENCH_OPERATOR, 'operator', now, { from, to, reason: null }),
          now,
        ]);
      });
      status.set(id, to);
      await slaOfViews(pool, [id]);
    },
  };
}

/** The list statement the service builds for an operator of `teams` (visibility filter included). */
export function listSql(q: ListQuery, operator: string, teams: string[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const v = (x: unknown) => {
    values.push(x);
    return `$${values.length}`;
  };
  const where = [
    `(t0.requester_id = ${v(operator)} OR t0.filed_by_id = ${v(operator)} OR (j1.sensitive = false AND j1.key IS NOT NULL)` +
      ` OR t0.team_key = ANY(${v(teams)}::text[]))`,
  ];
  if (q.status?.length) where.push(`t0.status = ANY(${v(q.status)}::"CaseStatus"[])`);
  if (q.category) where.push(`t0.category_key = ${v(q.category)}`);
  if (q.team) where.push(`t0.team_key = ${v(q.team)}`);
  if (q.assignee) where.push(`t0.assignee_id = ${v(q.assignee)}`);
  if (q.requester) where.push(`t0.requester_id = ${v(q.requester)}`);
  if (q.createdFrom) where.push(`t0.created_at >= ${v(new Date(q.createdFrom))}`);
  if (q.createdTo) where.push(`t0.created_at < ${v(new Date(q.createdTo))}`);
  if (q.q) where.push(`t0.subject ILIKE ${v(`%${q.q}%`)}`);
  const col = q.sort === 'updated' ? 'updated_at' : 'created_at';
  if (q.cursor) {
    const c = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as { t: string; id: string };
    const at = v(new Date(c.t));
    where.push(`t0.${col} <= ${at} AND (t0.${col} < ${at} OR (t0.${col} = ${at} AND t0.id < ${v(c.id)}::uuid))`);
  }
  const text = `${CASE_WITH_RELATIONS.replace('FROM "case" t0', 'FROM "case" t0 LEFT JOIN category j1 ON j1.key = t0.category_key')}
    WHERE ${where.join(' AND ')} ORDER BY t0.${col} DESC, t0.id DESC LIMIT 26`;
  return { text, values };
}

/** A listing: the filtered page with relations in one statement, then the service level of its rows. */
export function listFloor(pool: pg.Pool, queries: ListQuery[], teams: string[]): FloorScenario {
  const statements = queries.map((q) => listSql(q, BENCH_OPERATOR, teams));
  let i = 0;
  return {
    statements: 3,
    op: async () => {
      const s = statements[i++ % statements.length]!;
      const { rows } = await pool.query<{ id: string }>(s.text, s.values);
      if (rows.length > 0) await slaOfViews(pool, rows.slice(0, 25).map((r) => r.id));
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
    const claimed = await inTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock_shared($1::bigint)', [WINDOWS_LOCK_KEY]);
      const { rows: due } = await c.query<{ id: string; number: string; status: string; version: number; from: string; to: string }>(
        `SELECT c.id, c.number, c.status::text AS status, c.assignee_id, c.status_changed_at, c.last_public_reply_at,
                c.version, t.from_status::text AS "from", t.to_status::text AS "to"
           FROM case_timer t JOIN "case" c ON c.id = t.case_id
          WHERE t.due_at <= $1 ORDER BY t.due_at LIMIT $2 FOR UPDATE OF t, c SKIP LOCKED`,
        [now, batchSize],
      );
      if (due.length === 0) return 0;
      const ids = due.map((d) => d.id);
      await c.query('DELETE FROM case_timer WHERE case_id = ANY($1::uuid[])', [ids]);
      await c.query(
        `UPDATE "case" c SET status = v.status::"CaseStatus", status_changed_at = $1,
                completed_at = CASE WHEN v.status = 'COMPLETED' THEN $1 ELSE c.completed_at END,
                version = c.version + 1, updated_at = $1
           FROM unnest($2::uuid[], $3::text[]) AS v(id, status) WHERE c.id = v.id`,
        [now, ids, due.map((d) => d.to)],
      );
      await c.query(
        `INSERT INTO case_history (case_id, at, actor_id, actor_role, on_behalf_of, field, from_value, to_value, reason, internal)
         SELECT h.case_id, $1, 'system', 'system', NULL, 'status', h.from_value, h.to_value, 'timer', false
           FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS h(case_id, from_value, to_value, n) ORDER BY h.n`,
        [now, ids, due.map((d) => d.status), due.map((d) => d.to)],
      );
      await c.query(
        `INSERT INTO outbox_event (id, type, case_id, payload, created_at)
         SELECT gen_random_uuid(), 'case.status_changed', e.case_id, e.payload, $1
           FROM unnest($2::uuid[], $3::jsonb[]) WITH ORDINALITY AS e(case_id, payload, n) ORDER BY e.n`,
        [
          now,
          ids,
          due.map((d) => eventPayload({ ...d, status: d.to, version: d.version + 1 }, 'system', 'system', now, { from: d.status, to: d.to, reason: 'timer' })),
        ],
      );
      await c.query(
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
