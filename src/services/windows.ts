import type { SuspensionWindow } from '../domain/suspension';
import type { Query } from '../db/query';

/**
 * All suspension windows, oldest first, as domain values. On `pg` (pgQuery) or Prisma
 * (prismaQuery), in or outside a transaction.
 */
export async function loadWindows(q: Query): Promise<SuspensionWindow[]> {
  return q<SuspensionWindow>(
    `SELECT id::text AS id, to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to", reason
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
export async function lockWindows(q: Query, mode: 'shared' | 'exclusive'): Promise<void> {
  // The lock functions return void; selecting a constant from them keeps every client's row
  // decoding simple.
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await q(`SELECT 1 AS locked FROM ${fn}($1::bigint)`, [WINDOWS_LOCK_KEY]);
}
