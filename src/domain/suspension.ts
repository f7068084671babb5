/**
 * The seasonal rule: suspension windows during which WAITING_FOR_USER is not used and the
 * calendar-day timers do not run (see DOMAIN.md, "The seasonal rule").
 */
import { fromWallClockMillis, toWallClockMillis } from './business-calendar';

/** A suspension window: inclusive range of local dates (Europe/Oslo unless told otherwise). */
export interface SuspensionWindow {
  id?: string;
  /** First suspended date, `YYYY-MM-DD`. */
  from: string;
  /** Last suspended date (inclusive), `YYYY-MM-DD`. */
  to: string;
  reason: string;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function dateToWall(date: string): number {
  // A YYYY-MM-DD read as UTC midnight is exactly its wall-clock-millis encoding.
  return DATE_RE.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
}

function isValidDate(date: string): boolean {
  const t = dateToWall(date);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === date;
}

/**
 * Checks a window (typically one an admin submitted) and lists what is wrong with it.
 *
 * @returns human-readable problems; empty when the window is usable
 */
export function validateSuspensionWindow(w: SuspensionWindow): string[] {
  const problems: string[] = [];
  if (!isValidDate(w.from)) problems.push(`from: not a valid YYYY-MM-DD date: ${JSON.stringify(w.from)}`);
  if (!isValidDate(w.to)) problems.push(`to: not a valid YYYY-MM-DD date: ${JSON.stringify(w.to)}`);
  if (problems.length === 0 && w.to < w.from) problems.push(`to (${w.to}) is before from (${w.from})`);
  return problems;
}

function assertWindows(windows: ReadonlyArray<SuspensionWindow>): void {
  windows.forEach((w, i) => {
    const problems = validateSuspensionWindow(w);
    if (problems.length > 0) throw new RangeError(`invalid suspension window [${i}]: ${problems.join('; ')}`);
  });
}

function assertInstant(d: Date, what: string): void {
  if (!(d instanceof Date) || !Number.isFinite(d.getTime())) throw new RangeError(`${what} must be a valid Date`);
}

/**
 * The window whose local date range (inclusive) contains the local date of `instant`, or null.
 * Used to refuse WAITING_FOR_USER while a window is in force. When several windows cover the
 * date, the one ending last is returned (ties: first in the list), because the caller's most
 * useful message is how long the suspension lasts.
 *
 * @param zone IANA zone the window dates are in
 * @throws RangeError for an invalid Date, zone or window
 */
export function windowCovering(instant: Date, windows: ReadonlyArray<SuspensionWindow>, zone = 'Europe/Oslo'): SuspensionWindow | null {
  assertInstant(instant, 'instant');
  assertWindows(windows);
  const date = new Date(Math.floor(toWallClockMillis(instant, zone) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  let best: SuspensionWindow | null = null;
  for (const w of windows) {
    if (w.from <= date && date <= w.to && (best === null || w.to > best.to)) best = w;
  }
  return best;
}

/**
 * `instant` moved by `days` calendar days in `zone`, keeping the local wall-clock time: 12:00
 * the day before a DST change plus one day is 12:00 the day after (23 or 25 real hours later).
 * Fractional days move the local clock by that share of 24 h. A wall time that does not exist
 * (spring-forward gap) moves forward by the gap; one that occurs twice maps to the first.
 *
 * @param days any finite number (negative moves back)
 * @throws RangeError for an invalid Date, non-finite days or unknown zone
 */
export function addCalendarDays(instant: Date, days: number, zone = 'Europe/Oslo'): Date {
  assertInstant(instant, 'instant');
  if (!Number.isFinite(days)) throw new RangeError(`days must be finite, got ${days}`);
  // Round-tripping an ambiguous autumn wall time would pick its first occurrence; zero days
  // must not move the instant.
  if (days === 0) return new Date(instant.getTime());
  return fromWallClockMillis(toWallClockMillis(instant, zone) + Math.round(days * DAY_MS), zone);
}

/**
 * When a calendar-day timer (WAITING_FOR_USER → COMPLETED after 10 days) falls due, with the
 * seasonal rule applied. The rule:
 *
 * - Time is counted continuously on the local wall clock of `zone` (so a day is a calendar day,
 *   23 or 25 real hours across a DST change), starting at `enteredAt`.
 * - Time on local dates inside any window does not count. The clock stops at 00:00 of a
 *   window's first date and resumes at 00:00 of the date after its last date.
 * - A case that enters while a window is in force therefore starts counting at 00:00 after the
 *   window ends. Overlapping or adjacent windows act as one long window; windows wholly before
 *   `enteredAt` have no effect.
 * - The result is the earliest instant at which `days` counted days have elapsed. So if the
 *   count runs out exactly as a window begins, the timer is due at that window's 00:00.
 *
 * Example: entered 2024-05-25 12:00 with the window 2024-06-01..2024-08-31 (92 days) and 10
 * days: 6.5 days count before the window, 3.5 after, due 2024-09-04 12:00 — 102 calendar days.
 * With no window in the way the result equals `addCalendarDays(enteredAt, days, zone)`.
 *
 * @param days calendar days to count, finite and >= 0
 * @param zone IANA zone the windows and the wall clock are in
 * @throws RangeError for an invalid Date, days, zone or window
 */
export function suspensionAwareDueAt(enteredAt: Date, days: number, windows: ReadonlyArray<SuspensionWindow>, zone = 'Europe/Oslo'): Date {
  assertInstant(enteredAt, 'enteredAt');
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`days must be a finite number >= 0, got ${days}`);
  assertWindows(windows);

  const startWall = toWallClockMillis(enteredAt, zone);
  const blocks = windows
    .map((w): [number, number] => [dateToWall(w.from), dateToWall(w.to) + DAY_MS])
    .filter(([, end]) => end > startWall)
    .sort((x, y) => x[0] - y[0]);

  let remaining = Math.round(days * DAY_MS);
  let cursor = startWall;
  for (const [from, end] of blocks) {
    if (end <= cursor) continue; // inside a block already passed (overlap)
    if (from > cursor) {
      if (remaining <= from - cursor) break;
      remaining -= from - cursor;
    }
    cursor = end;
  }
  const dueWall = cursor + remaining;
  if (dueWall === startWall) return new Date(enteredAt.getTime());
  return fromWallClockMillis(dueWall, zone);
}
