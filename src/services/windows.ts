import type { Db } from '../plugins/db';
import type { SuspensionWindow } from '../domain/suspension';
import type { Query } from '../repositories/query';

type Reader = Pick<Db, 'suspensionWindow'>;
type Raw = Pick<Db, '$executeRaw'>;

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** All suspension windows, oldest first, as domain values. */
export async function loadWindows(db: Reader): Promise<SuspensionWindow[]> {
  const rows = await db.suspensionWindow.findMany({ orderBy: [{ fromDate: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => ({ id: r.id, from: isoDate(r.fromDate), to: isoDate(r.toDate), reason: r.reason }));
}

/** loadWindows on a `pg` query runner (the change transaction of src/services/case-service.ts). */
export async function loadWindowsIn(q: Query): Promise<SuspensionWindow[]> {
  return q<SuspensionWindow>(
    `SELECT id, to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to", reason
       FROM suspension_window ORDER BY from_date, id`,
  );
}

/** An arbitrary but fixed advisory-lock key ("saksflyt windows") shared by every instance. */
const WINDOWS_LOCK_KEY = 0x5a4b5357;

/**
 * Takes the transaction-scoped advisory lock that orders window edits against everything whose
 * outcome depends on the windows: status changes (the WAITING_FOR_USER refusal and the due time
 * of a new WAITING timer) and timer sweeps take it shared, window edits exclusively. Without it
 * a window added while a case enters WAITING_FOR_USER could miss that case's new timer, or a
 * sweep could fire a timer the new window has just pushed out.
 */
export async function lockWindows(tx: Raw, mode: 'shared' | 'exclusive'): Promise<void> {
  if (mode === 'shared') await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${WINDOWS_LOCK_KEY}::bigint)`;
  else await tx.$executeRaw`SELECT pg_advisory_xact_lock(${WINDOWS_LOCK_KEY}::bigint)`;
}

/** lockWindows on a `pg` query runner. */
export async function lockWindowsIn(q: Query, mode: 'shared' | 'exclusive'): Promise<void> {
  await q(mode === 'shared' ? 'SELECT pg_advisory_xact_lock_shared($1::bigint)' : 'SELECT pg_advisory_xact_lock($1::bigint)', [WINDOWS_LOCK_KEY]);
}
