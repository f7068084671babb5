import type { Db } from '../plugins/db';
import type { SuspensionWindow } from '../domain/suspension';

type Reader = Pick<Db, 'suspensionWindow'>;

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** All suspension windows, oldest first, as domain values. */
export async function loadWindows(db: Reader): Promise<SuspensionWindow[]> {
  const rows = await db.suspensionWindow.findMany({ orderBy: [{ fromDate: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => ({ id: r.id, from: isoDate(r.fromDate), to: isoDate(r.toDate), reason: r.reason }));
}
