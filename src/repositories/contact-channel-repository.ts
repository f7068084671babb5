/** Contact channels of the service centre (service information). */
import type { ContactChannel } from '../generated/prisma/client';
import type { Query } from '../db/query';

export type ChannelRow = ContactChannel;

const CHANNEL_COLUMNS = `key, kind, name_nb AS "nameNb", name_en AS "nameEn", address, description_nb AS "descriptionNb",
  description_en AS "descriptionEn", hours, sort_order AS "sortOrder", updated_at AS "updatedAt"`;

export async function listChannels(q: Query): Promise<ChannelRow[]> {
  return q<ChannelRow>(`SELECT ${CHANNEL_COLUMNS} FROM contact_channel ORDER BY sort_order, key`);
}

/** Creates or replaces a channel; answers the row and whether it was created. */
export async function upsertChannel(q: Query, c: ChannelRow): Promise<{ created: boolean; row: ChannelRow }> {
  const [row] = await q<ChannelRow & { created: boolean }>(
    `INSERT INTO contact_channel (key, kind, name_nb, name_en, address, description_nb, description_en, hours, sort_order, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)
     ON CONFLICT (key) DO UPDATE SET
       kind = EXCLUDED.kind, name_nb = EXCLUDED.name_nb, name_en = EXCLUDED.name_en, address = EXCLUDED.address,
       description_nb = EXCLUDED.description_nb, description_en = EXCLUDED.description_en, hours = EXCLUDED.hours,
       sort_order = EXCLUDED.sort_order, updated_at = EXCLUDED.updated_at
     RETURNING ${CHANNEL_COLUMNS}, (xmax = 0) AS created`,
    [
      c.key,
      c.kind,
      c.nameNb,
      c.nameEn,
      c.address,
      c.descriptionNb,
      c.descriptionEn,
      c.hours === null ? null : JSON.stringify(c.hours),
      c.sortOrder,
      c.updatedAt,
    ],
  );
  const { created, ...rest } = row!;
  return { created, row: rest };
}

/** Deletes a channel; answers whether there was one. */
export async function deleteChannel(q: Query, key: string): Promise<boolean> {
  const rows = await q('DELETE FROM contact_channel WHERE key = $1 RETURNING 1 AS gone', [key]);
  return rows.length > 0;
}
