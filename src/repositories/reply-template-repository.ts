/** Reply templates (#16): prepared message texts that admins keep. */
import type { Query } from '../db/query';

export interface ReplyTemplateRow {
  key: string;
  categoryKey: string | null;
  name: string;
  bodyNb: string;
  bodyEn: string;
  updatedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `key, category_key AS "categoryKey", name, body_nb AS "bodyNb", body_en AS "bodyEn",
  updated_by AS "updatedBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** All templates, or those a case of `categoryKey` may use (the global ones and its own). */
export async function listReplyTemplates(q: Query, categoryKey?: string): Promise<ReplyTemplateRow[]> {
  return categoryKey === undefined
    ? q<ReplyTemplateRow>(`SELECT ${COLUMNS} FROM reply_template ORDER BY key`)
    : q<ReplyTemplateRow>(`SELECT ${COLUMNS} FROM reply_template WHERE category_key IS NULL OR category_key = $1 ORDER BY key`, [categoryKey]);
}

export async function getReplyTemplate(q: Query, key: string): Promise<ReplyTemplateRow | null> {
  const [row] = await q<ReplyTemplateRow>(`SELECT ${COLUMNS} FROM reply_template WHERE key = $1`, [key]);
  return row ?? null;
}

/** Creates or replaces a template; answers the row and whether it was created. */
export async function upsertReplyTemplate(
  q: Query,
  t: Omit<ReplyTemplateRow, 'createdAt' | 'updatedAt'> & { at: Date },
): Promise<{ created: boolean; row: ReplyTemplateRow }> {
  const [row] = await q<ReplyTemplateRow & { created: boolean }>(
    `INSERT INTO reply_template (key, category_key, name, body_nb, body_en, updated_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (key) DO UPDATE SET
       category_key = EXCLUDED.category_key, name = EXCLUDED.name, body_nb = EXCLUDED.body_nb,
       body_en = EXCLUDED.body_en, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}, (xmax = 0) AS created`,
    [t.key, t.categoryKey, t.name, t.bodyNb, t.bodyEn, t.updatedBy, t.at],
  );
  const { created, ...rest } = row!;
  return { created, row: rest };
}

/** Deletes a template; answers whether there was one. */
export async function deleteReplyTemplate(q: Query, key: string): Promise<boolean> {
  const rows = await q<{ key: string }>(`DELETE FROM reply_template WHERE key = $1 RETURNING key`, [key]);
  return rows.length > 0;
}
