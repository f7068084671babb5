/** Notices and FAQ links shown before filing (docs/reference-data.md "Notices"). */
import type { Query } from '../db/query';

export interface NoticeRow {
  id: string;
  titleNb: string;
  titleEn: string;
  textNb: string;
  textEn: string;
  link: string | null;
  categoryKeys: string[];
  activeFrom: Date | null;
  activeUntil: Date | null;
  sortOrder: number;
}

export type NoticeFields = Omit<NoticeRow, 'id'>;

const COLUMNS = `id::text AS id, title_nb AS "titleNb", title_en AS "titleEn", text_nb AS "textNb", text_en AS "textEn", link,
  coalesce(category_keys, '{}') AS "categoryKeys", active_from AS "activeFrom", active_until AS "activeUntil", sort_order AS "sortOrder"`;

/** Active at `now`: inside [active_from, active_until), an open end counting as unbounded. */
const ACTIVE = `(active_from IS NULL OR active_from <= $1) AND (active_until IS NULL OR active_until > $1)`;

/**
 * Notices, in display order: only those active at `now` unless `includeInactive`, and with
 * `category` only those for that category or for every category (no keys).
 */
export async function listNotices(q: Query, opts: { now: Date; category?: string; includeInactive?: boolean }): Promise<NoticeRow[]> {
  return q<NoticeRow>(
    `SELECT ${COLUMNS} FROM notice
      WHERE ($3::boolean OR ${ACTIVE})
        AND ($2::text IS NULL OR cardinality(coalesce(category_keys, '{}')) = 0 OR $2::text = ANY(category_keys))
      ORDER BY sort_order, created_at, id`,
    [opts.now, opts.category ?? null, opts.includeInactive ?? false],
  );
}

export async function getNotice(q: Query, id: string): Promise<NoticeRow | null> {
  const [row] = await q<NoticeRow>(`SELECT ${COLUMNS} FROM notice WHERE id = $1::uuid`, [id]);
  return row ?? null;
}

export async function insertNotice(q: Query, n: NoticeFields): Promise<NoticeRow> {
  const [row] = await q<NoticeRow>(
    `INSERT INTO notice (id, title_nb, title_en, text_nb, text_en, link, category_keys, active_from, active_until, sort_order)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::text[], $7, $8, $9) RETURNING ${COLUMNS}`,
    [n.titleNb, n.titleEn, n.textNb, n.textEn, n.link, n.categoryKeys, n.activeFrom, n.activeUntil, n.sortOrder],
  );
  return row!;
}

/** Replaces a notice; null when there is none with the id. */
export async function updateNotice(q: Query, id: string, n: NoticeFields): Promise<NoticeRow | null> {
  const [row] = await q<NoticeRow>(
    `UPDATE notice SET title_nb = $2, title_en = $3, text_nb = $4, text_en = $5, link = $6, category_keys = $7::text[],
            active_from = $8, active_until = $9, sort_order = $10, updated_at = now()
      WHERE id = $1::uuid RETURNING ${COLUMNS}`,
    [id, n.titleNb, n.titleEn, n.textNb, n.textEn, n.link, n.categoryKeys, n.activeFrom, n.activeUntil, n.sortOrder],
  );
  return row ?? null;
}

export async function deleteNotice(q: Query, id: string): Promise<boolean> {
  const rows = await q<{ id: string }>('DELETE FROM notice WHERE id = $1::uuid RETURNING id::text AS id', [id]);
  return rows.length > 0;
}
