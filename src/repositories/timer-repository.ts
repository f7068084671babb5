/** The statements of the timer sweep and of timer recomputation (the writes go through writePlans). */
import type { Status } from '../domain/statuses';
import type { Query } from '../db/query';

/** A due timer with what decide() and plan() need of its case, as claimTimers reads it. */
export interface DueTimer {
  id: string;
  number: string;
  status: Status;
  assigneeId: string | null;
  statusChangedAt: Date;
  lastPublicReplyAt: Date | null;
  firstResponseAt: Date | null;
  version: number;
  from: Status;
  to: Status;
}

/** Which timers to claim: all due at an instant, or one case's timer between two statuses. */
export type TimerSelection = { dueBy: Date } | { caseId: string; from: Status; to: Status; dueBy: Date };

/**
 * Locks up to `limit` timers of `selection` with their cases, earliest due first, skipping rows
 * another transaction holds. Both rows are locked: requests lock the case and sweepers the
 * timer, and either must keep the other away.
 */
export async function claimTimers(q: Query, selection: TimerSelection, limit: number): Promise<DueTimer[]> {
  const params: unknown[] = [selection.dueBy, limit];
  let where = 't.due_at <= $1';
  if ('caseId' in selection) {
    params.push(selection.caseId, selection.from, selection.to);
    where += ` AND t.case_id = $3::uuid AND t.from_status::text = $4 AND t.to_status::text = $5`;
  }
  const rows = await q<DueTimer>(
    `SELECT c.id, c.number, c.status::text AS status, c.assignee_id AS "assigneeId",
            c.status_changed_at AS "statusChangedAt", c.last_public_reply_at AS "lastPublicReplyAt",
            c.first_response_at AS "firstResponseAt", c.version,
            t.from_status::text AS "from", t.to_status::text AS "to"
       FROM case_timer t JOIN "case" c ON c.id = t.case_id
      WHERE ${where}
      ORDER BY t.due_at
      LIMIT $2
      FOR UPDATE OF t, c SKIP LOCKED`,
    params,
  );
  // The batch is always the small side of the joins that write it: look its rows up by key. Left
  // to itself the planner hashes the whole case table per batch once a backlog makes it large
  // (seen at 100k). Local to this transaction.
  if (rows.length > 0) await q(`SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`);
  return rows;
}

/** A pending timer as recomputation reads it. */
export interface PendingTimer {
  caseId: string;
  fromStatus: Status;
  toStatus: Status;
  enteredAt: Date;
  dueAt: Date;
}

/**
 * The pending timers of `statuses`. With `touched` (a window's first and last date, in `zone`),
 * only those a window over those dates can affect: entered before it ends and due after it begins.
 */
export async function pendingTimers(
  q: Query,
  statuses: readonly Status[],
  zone: string,
  touched?: { from: string; to: string },
): Promise<PendingTimer[]> {
  const params: unknown[] = [statuses];
  let span = '';
  if (touched) {
    params.push(touched.from, touched.to, zone);
    span = `AND entered_at < (($3::date + 1)::timestamp AT TIME ZONE $4) AND due_at > ($2::date::timestamp AT TIME ZONE $4)`;
  }
  return q<PendingTimer>(
    `SELECT case_id AS "caseId", from_status::text AS "fromStatus", to_status::text AS "toStatus",
            entered_at AS "enteredAt", due_at AS "dueAt"
       FROM case_timer WHERE from_status::text = ANY($1::text[]) ${span}`,
    params,
  );
}
