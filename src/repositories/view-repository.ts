/** Saved views (saved_view) and the queue counts of a team. */
import { randomUUID } from 'node:crypto';
import type { Query } from '../db/query';
import { ENDED_STATUSES, type Status } from '../domain/statuses';

export interface SavedViewRow {
  id: string;
  ownerId: string;
  name: string;
  filter: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

const VIEW_COLUMNS = `id, owner_id AS "ownerId", name, filter, created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function listViews(q: Query, ownerId: string): Promise<SavedViewRow[]> {
  return q<SavedViewRow>(`SELECT ${VIEW_COLUMNS} FROM saved_view WHERE owner_id = $1 ORDER BY name, id`, [ownerId]);
}

/** The view `id` of `ownerId`, or null (another user's view is not theirs to see). */
export async function findView(q: Query, ownerId: string, id: string): Promise<SavedViewRow | null> {
  const [r] = await q<SavedViewRow>(`SELECT ${VIEW_COLUMNS} FROM saved_view WHERE id = $1::uuid AND owner_id = $2`, [id, ownerId]);
  return r ?? null;
}

/**
 * Inserts a view unless the owner holds `max` views already ('full') or one of that name
 * ('duplicate'). The owner's views are counted under a transaction-scoped advisory lock on the
 * owner, so two concurrent inserts cannot both squeeze in under the bound.
 */
export async function insertView(
  q: Query,
  v: { ownerId: string; name: string; filter: unknown; now: Date },
  max: number,
): Promise<SavedViewRow | 'full' | 'duplicate'> {
  await q(`SELECT pg_advisory_xact_lock(hashtextextended('saved_view:' || $1, 0))`, [v.ownerId]);
  const [c] = await q<{ n: number; dup: boolean }>(
    `SELECT count(*)::int AS n, coalesce(bool_or(name = $2), false) AS dup FROM saved_view WHERE owner_id = $1`,
    [v.ownerId, v.name],
  );
  if (c!.dup) return 'duplicate';
  if (c!.n >= max) return 'full';
  const [r] = await q<SavedViewRow>(
    `INSERT INTO saved_view (id, owner_id, name, filter, created_at, updated_at) VALUES ($1::uuid, $2, $3, $4::jsonb, $5, $5)
     RETURNING ${VIEW_COLUMNS}`,
    [randomUUID(), v.ownerId, v.name, JSON.stringify(v.filter), v.now],
  );
  return r!;
}

/** Updates the owner's view; null when there is none, 'duplicate' when the new name is taken. */
export async function updateView(
  q: Query,
  ownerId: string,
  id: string,
  v: { name?: string; filter?: unknown; now: Date },
): Promise<SavedViewRow | null | 'duplicate'> {
  const rows = await q<SavedViewRow & { dup: boolean }>(
    `WITH dup AS (SELECT 1 FROM saved_view WHERE owner_id = $2 AND name = $3 AND id <> $1::uuid)
     UPDATE saved_view SET name = coalesce($3, name), filter = coalesce($4::jsonb, filter), updated_at = $5
      WHERE id = $1::uuid AND owner_id = $2 AND NOT EXISTS (SELECT 1 FROM dup)
     RETURNING ${VIEW_COLUMNS}, false AS dup`,
    [id, ownerId, v.name ?? null, v.filter === undefined ? null : JSON.stringify(v.filter), v.now],
  );
  if (rows[0]) {
    const { dup: _dup, ...row } = rows[0];
    return row;
  }
  return (await findView(q, ownerId, id)) ? 'duplicate' : null;
}

export async function deleteView(q: Query, ownerId: string, id: string): Promise<boolean> {
  return (await q(`DELETE FROM saved_view WHERE id = $1::uuid AND owner_id = $2 RETURNING id`, [id, ownerId])).length === 1;
}

export interface QueueCountsRow {
  byStatus: Array<{ status: Status; count: number }>;
  open: number;
  unassigned: number;
  breached: number;
}

/** Counts of the cases of a team: per status, open, open and unassigned, open with a recorded breach. */
export async function queueCounts(q: Query, teamKey: string): Promise<QueueCountsRow> {
  const rows = await q<{ status: Status; n: number; unassigned: number; breached: number }>(
    `SELECT c.status::text AS status, count(*)::int AS n,
            count(*) FILTER (WHERE c.assignee_id IS NULL)::int AS unassigned,
            count(*) FILTER (WHERE s.first_response_breached OR s.resolution_breached)::int AS breached
       FROM "case" c LEFT JOIN case_sla s ON s.case_id = c.id
      WHERE c.team_key = $1
      GROUP BY c.status`,
    [teamKey],
  );
  const open = rows.filter((r) => !ENDED_STATUSES.includes(r.status));
  return {
    byStatus: rows.map((r) => ({ status: r.status, count: r.n })),
    open: open.reduce((a, r) => a + r.n, 0),
    unassigned: open.reduce((a, r) => a + r.unassigned, 0),
    breached: open.reduce((a, r) => a + r.breached, 0),
  };
}
