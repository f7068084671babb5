/** Staff members recorded by admins (ROLE_SOURCE=database). */
import type { StaffMember } from '../generated/prisma/client';
import type { Query } from '../db/query';

export type StaffRow = Omit<StaffMember, 'createdAt'>;

const STAFF_COLUMNS = `subject, name, roles, teams, updated_by AS "updatedBy", updated_at AS "updatedAt"`;

export async function listStaff(q: Query): Promise<StaffRow[]> {
  return q<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff_member ORDER BY subject`);
}

export async function findStaff(q: Query, subject: string): Promise<StaffRow | null> {
  const [row] = await q<StaffRow>(`SELECT ${STAFF_COLUMNS} FROM staff_member WHERE subject = $1`, [subject]);
  return row ?? null;
}

/** Creates or replaces a staff member; answers the row and whether it was created. */
export async function upsertStaff(q: Query, s: StaffRow): Promise<{ created: boolean; row: StaffRow }> {
  const [row] = await q<StaffRow & { created: boolean }>(
    `INSERT INTO staff_member (subject, name, roles, teams, updated_by, updated_at) VALUES ($1, $2, $3::text[], $4::text[], $5, $6)
     ON CONFLICT (subject) DO UPDATE SET
       name = EXCLUDED.name, roles = EXCLUDED.roles, teams = EXCLUDED.teams, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING ${STAFF_COLUMNS}, (xmax = 0) AS created`,
    [s.subject, s.name, s.roles, s.teams, s.updatedBy, s.updatedAt],
  );
  const { created, ...rest } = row!;
  return { created, row: rest };
}

/** Deletes a staff member; answers whether there was one. */
export async function deleteStaff(q: Query, subject: string): Promise<boolean> {
  const rows = await q('DELETE FROM staff_member WHERE subject = $1 RETURNING 1 AS gone', [subject]);
  return rows.length > 0;
}
