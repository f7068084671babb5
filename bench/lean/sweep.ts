/**
 * The lean reference's timer sweep (`npm run bench`, scenario sweep): its own SQL through `pg`,
 * independent of the service's code, run in the benchmark's process.
 */
import type pg from 'pg';

type Tx = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

async function inTransaction<T>(pool: pg.Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(async (text, values) => (await c.query(text, values)).rows);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
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

/**
 * The timer sweep's essential work, set-based: batches of `batchSize` (claim with SKIP LOCKED,
 * void the timers, move the cases, history rows, events, the next timers), each one transaction,
 * until a batch comes back short.
 */
export async function leanSweep(pool: pg.Pool, batchSize: number, completedDays: number): Promise<number> {
  let fired = 0;
  for (;;) {
    const now = new Date();
    const claimed = await inTransaction(pool, async (tx) => {
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
