/** The statements behind the Prometheus gauges (src/plugins/metrics.ts), one per gauge. */
import type { Query } from '../db/query';
import { ENDED_STATUSES } from '../domain/statuses';

/** The archive's statuses as an SQL list (constants of the domain, not input). */
const ARCHIVE_STATUSES = `(${ENDED_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Cases per status and team: the open ones, or those of the archive (COMPLETED, CLOSED: every
 * case that ever ended), which the metrics loop reads less often (METRICS_ARCHIVE_REFRESH_MS). The
 * open ones are an index-only scan of the partial open-cases index, which carries the status
 * (migration 20261202120000: ≈13 ms at 1,000,000 cases); the archive one of case(team_key,
 * status), ≈170 ms on a vacuumed table and more while many pages wait for a vacuum.
 */
export async function casesPerStatusAndTeam(q: Query, part: 'open' | 'archive'): Promise<Array<{ status: string; team: string; n: number }>> {
  return q(
    `SELECT status::text AS status, team_key AS team, count(*)::int AS n FROM "case"
      WHERE status ${part === 'open' ? 'NOT IN' : 'IN'} ${ARCHIVE_STATUSES} GROUP BY 1, 2`,
  );
}

/** Pending timers: all of them, and those due at `now` (which should have fired). */
export async function timerCounts(q: Query, now: Date): Promise<{ due: number; scheduled: number }> {
  const [r] = await q<{ due: number; scheduled: number }>(
    'SELECT count(*) FILTER (WHERE due_at <= $1)::int AS due, count(*)::int AS scheduled FROM case_timer',
    [now],
  );
  return r ?? { due: 0, scheduled: 0 };
}

/** The webhook backlog: how many deliveries are pending, and when the oldest was queued. */
export async function pendingDeliveries(q: Query): Promise<{ n: number; oldest: Date | null }> {
  const [r] = await q<{ n: number; oldest: Date | null }>(
    "SELECT count(*)::int AS n, min(created_at) AS oldest FROM webhook_delivery WHERE state = 'pending'",
  );
  return r ?? { n: 0, oldest: null };
}

export async function breachesPerKind(q: Query): Promise<Array<{ kind: string; n: number }>> {
  return q('SELECT kind::text AS kind, count(*)::int AS n FROM sla_breach GROUP BY 1');
}

/** Cases whose SLA row waits for the sweep. */
export async function staleSlaCount(q: Query): Promise<number> {
  const [r] = await q<{ n: number }>('SELECT count(*)::int AS n FROM case_sla_stale');
  return r?.n ?? 0;
}
