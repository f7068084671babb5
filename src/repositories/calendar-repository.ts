/**
 * The business calendar as stored: weekly hours (service_hours) and extra closed days
 * (closed_day). loadStoredCalendar in sla-repository.ts reads both in one statement for the
 * SLA computations; these serve the calendar's own endpoints.
 */
import type { Query } from '../db/query';

/** An arbitrary fixed advisory-lock key ("saksflyt calendar") shared by every instance. */
const CALENDAR_LOCK_KEY = 0x5a4b4341;

export interface HoursRow {
  weekday: number;
  start: string;
  end: string;
}

export interface ClosedDayRow {
  /** `YYYY-MM-DD` */
  date: string;
  reason: string;
}

export async function listServiceHours(q: Query): Promise<HoursRow[]> {
  return q<HoursRow>('SELECT weekday, opens AS start, closes AS "end" FROM service_hours ORDER BY weekday');
}

export async function listClosedDays(q: Query): Promise<ClosedDayRow[]> {
  return q<ClosedDayRow>(`SELECT to_char(date, 'YYYY-MM-DD') AS date, reason FROM closed_day ORDER BY date`);
}

/**
 * Replaces the weekly hours and the closed days, in the caller's transaction. Replacing is
 * delete + insert, so two admins saving at once would collide on the keys: the first takes a
 * transaction-scoped lock the second waits for.
 */
export async function replaceCalendar(
  q: Query,
  hours: readonly HoursRow[],
  closedDays: readonly ClosedDayRow[],
  by: string,
  now: Date,
): Promise<void> {
  await q('SELECT 1 AS locked FROM pg_advisory_xact_lock($1::bigint)', [CALENDAR_LOCK_KEY]);
  await q('DELETE FROM service_hours');
  await q(
    `INSERT INTO service_hours (weekday, opens, closes, updated_at)
     SELECT v.weekday, v.opens, v.closes, $4 FROM unnest($1::int[], $2::text[], $3::text[]) AS v(weekday, opens, closes)`,
    [hours.map((h) => h.weekday), hours.map((h) => h.start), hours.map((h) => h.end), now],
  );
  await q('DELETE FROM closed_day');
  await q(
    `INSERT INTO closed_day (date, reason, created_by)
     SELECT v.date, v.reason, $3 FROM unnest($1::date[], $2::text[]) AS v(date, reason)`,
    [closedDays.map((d) => d.date), closedDays.map((d) => d.reason), by],
  );
}
