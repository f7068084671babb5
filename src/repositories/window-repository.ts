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

/** Stores a window (dates as `YYYY-MM-DD`); answers its id. */
export async function insertWindow(q: Query, w: { from: string; to: string; reason: string; createdBy: string }): Promise<string> {
  const [row] = await q<{ id: string }>(
    `INSERT INTO suspension_window (id, from_date, to_date, reason, created_by)
     VALUES (gen_random_uuid(), $1::date, $2::date, $3, $4) RETURNING id::text AS id`,
    [w.from, w.to, w.reason, w.createdBy],
  );
  return row!.id;
}

/** Deletes a window; answers the dates it covered, or null when there was none. */
export async function deleteWindow(q: Query, id: string): Promise<Pick<SuspensionWindow, 'from' | 'to'> | null> {
  const [row] = await q<{ from: string; to: string }>(
    `DELETE FROM suspension_window WHERE id = $1::uuid
     RETURNING to_char(from_date, 'YYYY-MM-DD') AS "from", to_char(to_date, 'YYYY-MM-DD') AS "to"`,
    [id],
  );
  return row ?? null;
}

/**
 * Makes a new window epoch: a window edit calls it first in its transaction, so the row lock waits
 * for case writes in flight (they hold it FOR SHARE) and makes later ones wait for this edit;
 * once it commits, writes decided on the old windows find the epoch moved and decide again.
 */
export async function bumpWindowEpoch(q: Query): Promise<void> {
  await q(`UPDATE window_epoch SET epoch = epoch + 1 WHERE id = 1`);
}

/** The windows and the epoch they belong to, in one statement. */
export async function loadWindowsAtEpoch(q: Query): Promise<{ epoch: number; windows: SuspensionWindow[] }> {
  const [r] = await q<{ epoch: number; windows: SuspensionWindow[] }>(
    `SELECT (SELECT epoch FROM window_epoch WHERE id = 1) AS epoch,
            coalesce((SELECT json_agg(json_build_object('id', id::text, 'from', to_char(from_date, 'YYYY-MM-DD'),
                                                        'to', to_char(to_date, 'YYYY-MM-DD'), 'reason', reason)
                                      ORDER BY from_date, id)
                        FROM suspension_window), '[]'::json) AS windows`,
  );
  return { epoch: r!.epoch, windows: r!.windows };
}
