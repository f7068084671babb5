/** Categories and teams: reference data that admins edit. */
import type { Category, Team } from '../generated/prisma/client';
import type { PriorityTargets } from '../domain/triage';
import type { Query } from '../db/query';
import type { CategoryFacts } from './case-repository';

export type CategoryRow = Omit<Category, 'createdAt' | 'updatedAt'>;
export type TeamRow = Omit<Team, 'createdAt' | 'updatedAt'>;

const CATEGORY_COLUMNS = `key, name_nb AS "nameNb", name_en AS "nameEn", description, default_team_key AS "defaultTeamKey",
  sensitive, form, active, sort_order AS "sortOrder", retention_months AS "retentionMonths",
  first_response_hours AS "firstResponseHours", resolution_hours AS "resolutionHours",
  description_nb AS "descriptionNb", handled_by AS "handledBy", guidance_nb AS "guidanceNb", guidance_en AS "guidanceEn",
  priority_targets AS "priorityTargets"`;
const TEAM_COLUMNS = `key, name_nb AS "nameNb", name_en AS "nameEn", email`;

/** Categories in display order; without `includeInactive` only the active ones. */
export async function listCategories(q: Query, opts: { includeInactive: boolean } = { includeInactive: true }): Promise<CategoryRow[]> {
  return q<CategoryRow>(`SELECT ${CATEGORY_COLUMNS} FROM category WHERE $1::boolean OR active ORDER BY sort_order, key`, [opts.includeInactive]);
}

/** The keys among `keys` that name a category. */
export async function existingCategoryKeys(q: Query, keys: readonly string[]): Promise<string[]> {
  const rows = await q<{ key: string }>('SELECT key FROM category WHERE key = ANY($1::text[])', [keys]);
  return rows.map((r) => r.key);
}

/**
 * Every category's facts that a case row takes from it, with the category epoch they are as of:
 * one statement, so the facts and the epoch are of one snapshot.
 */
export async function readCategoryFacts(q: Query): Promise<{ epoch: number; facts: Map<string, CategoryFacts> }> {
  const rows = await q<{
    epoch: number;
    key: string | null;
    sensitive: boolean;
    first_response_hours: number;
    resolution_hours: number;
    priority_targets: PriorityTargets;
  }>(
    `SELECT e.epoch, c.key, c.sensitive, c.first_response_hours, c.resolution_hours, c.priority_targets
       FROM category_epoch e LEFT JOIN category c ON true WHERE e.id = 1`,
  );
  const facts = new Map<string, CategoryFacts>();
  for (const r of rows) {
    if (r.key === null) continue;
    facts.set(r.key, {
      sensitive: r.sensitive,
      firstResponseHours: r.first_response_hours,
      resolutionHours: r.resolution_hours,
      priorityTargets: r.priority_targets,
    });
  }
  return { epoch: rows[0]!.epoch, facts };
}

export async function getCategory(q: Query, key: string): Promise<CategoryRow | null> {
  const [row] = await q<CategoryRow>(`SELECT ${CATEGORY_COLUMNS} FROM category WHERE key = $1`, [key]);
  return row ?? null;
}

/** Creates or replaces a category; answers the row and whether it was created. */
export async function upsertCategory(q: Query, c: CategoryRow): Promise<{ created: boolean; row: CategoryRow }> {
  const [row] = await q<CategoryRow & { created: boolean }>(
    `INSERT INTO category (key, name_nb, name_en, description, default_team_key, sensitive, form, active, sort_order,
                           retention_months, first_response_hours, resolution_hours, description_nb, handled_by, guidance_nb, guidance_en,
                           priority_targets)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb)
     ON CONFLICT (key) DO UPDATE SET
       name_nb = EXCLUDED.name_nb, name_en = EXCLUDED.name_en, description = EXCLUDED.description,
       default_team_key = EXCLUDED.default_team_key, sensitive = EXCLUDED.sensitive, form = EXCLUDED.form,
       active = EXCLUDED.active, sort_order = EXCLUDED.sort_order, retention_months = EXCLUDED.retention_months,
       first_response_hours = EXCLUDED.first_response_hours, resolution_hours = EXCLUDED.resolution_hours,
       description_nb = EXCLUDED.description_nb, handled_by = EXCLUDED.handled_by, guidance_nb = EXCLUDED.guidance_nb,
       guidance_en = EXCLUDED.guidance_en, priority_targets = EXCLUDED.priority_targets, updated_at = now()
     RETURNING ${CATEGORY_COLUMNS}, (xmax = 0) AS created`,
    [
      c.key,
      c.nameNb,
      c.nameEn,
      c.description,
      c.defaultTeamKey,
      c.sensitive,
      c.form === null ? null : JSON.stringify(c.form),
      c.active,
      c.sortOrder,
      c.retentionMonths,
      c.firstResponseHours,
      c.resolutionHours,
      c.descriptionNb,
      c.handledBy,
      c.guidanceNb,
      c.guidanceEn,
      JSON.stringify(c.priorityTargets ?? {}),
    ],
  );
  const { created, ...rest } = row!;
  return { created, row: rest };
}

export async function listTeams(q: Query): Promise<TeamRow[]> {
  return q<TeamRow>(`SELECT ${TEAM_COLUMNS} FROM team ORDER BY key`);
}

/** The keys among `keys` that name a team. */
export async function existingTeamKeys(q: Query, keys: readonly string[]): Promise<string[]> {
  const rows = await q<{ key: string }>('SELECT key FROM team WHERE key = ANY($1::text[])', [keys]);
  return rows.map((r) => r.key);
}

/** Creates or replaces a team; answers the row and whether it was created. */
export async function upsertTeam(q: Query, t: TeamRow): Promise<{ created: boolean; row: TeamRow }> {
  const [row] = await q<TeamRow & { created: boolean }>(
    `INSERT INTO team (key, name_nb, name_en, email) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key) DO UPDATE SET name_nb = EXCLUDED.name_nb, name_en = EXCLUDED.name_en, email = EXCLUDED.email, updated_at = now()
     RETURNING ${TEAM_COLUMNS}, (xmax = 0) AS created`,
    [t.key, t.nameNb, t.nameEn, t.email],
  );
  const { created, ...rest } = row!;
  return { created, row: rest };
}
