/**
 * Working-hours arithmetic for service-level targets ("8 working hours to first response").
 *
 * Opening hours are wall-clock times in the calendar's zone, so they follow DST; working time
 * itself is measured in real elapsed milliseconds between instants. With the usual daytime hours
 * the two never disagree, because Norway changes clocks at night.
 *
 * The algorithms walk local calendar days, doing constant work per day, and never step through
 * time inside a day, so targets of hundreds of hours cost a few hundred iterations at most.
 */
import { IANAZone } from 'luxon';
import { isNorwegianHoliday } from './holidays';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One day's opening, local wall-clock `HH:MM`; `end` may be `24:00` (midnight after the day). */
export interface OpeningHours {
  start: string;
  end: string;
}

/** When a service (case handling, phone support …) counts as open. Data, not code. */
export interface BusinessCalendar {
  /** IANA zone the opening hours and dates are in, normally `Europe/Oslo`. */
  zone: string;
  /** Opening per ISO weekday; `null` = closed all day. */
  hours: Readonly<Record<IsoWeekday, OpeningHours | null>>;
  /** Extra closed local dates (`YYYY-MM-DD`), e.g. Christmas Eve or a staff seminar. */
  closedDates: readonly string[];
  /** Whether Norwegian public holidays are closed days. */
  publicHolidays: boolean;
}

const WEEKDAY_0800_1600: OpeningHours = Object.freeze({ start: '08:00', end: '16:00' });

/** The service centre's case-handling calendar: Mon–Fri 08:00–16:00 Europe/Oslo, public holidays closed. */
export const defaultServiceCalendar: BusinessCalendar = Object.freeze({
  zone: 'Europe/Oslo',
  hours: Object.freeze({
    1: WEEKDAY_0800_1600,
    2: WEEKDAY_0800_1600,
    3: WEEKDAY_0800_1600,
    4: WEEKDAY_0800_1600,
    5: WEEKDAY_0800_1600,
    6: null,
    7: null,
  }),
  closedDates: Object.freeze([] as string[]),
  publicHolidays: true,
});

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];
const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
// Bounds every day walk: closed dates and holidays are finite, so a calendar with at least one
// open weekday always opens within a few weeks; this only trips on absurd spans.
const MAX_DAYS_WALKED = 366 * 200;

// ---------------------------------------------------------------------------------------------
// Wall-clock helpers. A "wall millis" value encodes a local date and time as if it were UTC
// (so every local day is exactly 86 400 000 long), which lets day stepping be plain integer
// arithmetic; luxon supplies the zone's offsets to convert to and from real instants.
// ---------------------------------------------------------------------------------------------

function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${JSON.stringify(name)}`);
  return zone;
}

function assertInstant(d: Date, what: string): number {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be a valid Date`);
  return ms;
}

/**
 * The local wall-clock reading of `instant` in `zone`, encoded as milliseconds since
 * 1970-01-01T00:00 local (i.e. the local fields read as if they were UTC).
 *
 * @throws RangeError for an invalid Date or unknown zone
 */
export function toWallClockMillis(instant: Date, zone: string): number {
  const ms = assertInstant(instant, 'instant');
  return ms + zoneOf(zone).offset(ms) * MINUTE_MS;
}

/**
 * The instant at which the clocks in `zone` read the wall time `wallMillis` (as produced by
 * {@link toWallClockMillis}). A wall time skipped by a spring-forward gap maps to the same
 * reading after the gap (02:30 → 03:30), and a wall time that occurs twice in the autumn maps
 * to its first occurrence — the same choices as Temporal's `compatible` disambiguation.
 *
 * @throws RangeError for a non-finite value or unknown zone
 */
export function fromWallClockMillis(wallMillis: number, zone: string): Date {
  if (!Number.isFinite(wallMillis)) throw new RangeError('wallMillis must be finite');
  return new Date(wallToInstant(wallMillis, zoneOf(zone)));
}

function wallToInstant(wall: number, zone: IANAZone): number {
  // Offsets a day either side bracket any single transition, and no zone changes twice in 48 h.
  const before = zone.offset(wall - DAY_MS) * MINUTE_MS;
  const after = zone.offset(wall + DAY_MS) * MINUTE_MS;
  const viaBefore = wall - before;
  const viaAfter = wall - after;
  const beforeFits = zone.offset(viaBefore) * MINUTE_MS === before;
  const afterFits = zone.offset(viaAfter) * MINUTE_MS === after;
  if (beforeFits && afterFits) return Math.min(viaBefore, viaAfter);
  if (beforeFits) return viaBefore;
  if (afterFits) return viaAfter;
  // In a gap neither offset fits; reading it with the pre-gap offset lands after the gap by the
  // gap's length, which is where a wall clock that skipped ahead would show the same reading.
  return viaBefore;
}

function epochDayToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function isoWeekdayOf(day: number): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return (((((day + 3) % 7) + 7) % 7) + 1) as IsoWeekday;
}

// ---------------------------------------------------------------------------------------------
// Calendar compilation and validation
// ---------------------------------------------------------------------------------------------

interface CompiledCalendar {
  zone: IANAZone;
  /** Minutes after local midnight, per ISO weekday; null = closed. */
  minutes: ReadonlyArray<readonly [number, number] | null>;
  closed: ReadonlySet<string>;
  publicHolidays: boolean;
  probes: Map<number, number>;
}

// Zone offset (ms) at UTC midnight of an epoch day, per zone. Offset lookups go through Intl and
// dominate the cost of a day walk; the answer only depends on the process's tz data, so memoising
// is safe. Bounded so a long-running process cannot grow it without limit.
const PROBE_CACHE_LIMIT = 50_000;
const probeCache = new Map<string, Map<number, number>>();

function probesFor(zone: IANAZone): Map<number, number> {
  let m = probeCache.get(zone.name);
  if (!m) {
    m = new Map();
    probeCache.set(zone.name, m);
  }
  if (m.size > PROBE_CACHE_LIMIT) m.clear();
  return m;
}

function parseHHMM(s: string): number {
  const [h, m] = s.split(':');
  return Number(h) * 60 + Number(m);
}

function isValidDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/**
 * Checks a calendar (typically one an admin submitted) and lists what is wrong with it.
 * The arithmetic functions throw a RangeError with the same messages, so validating at the edge
 * lets the API answer 400 instead of failing later when a due time is computed.
 *
 * @returns human-readable problems; empty when the calendar is usable
 */
export function validateBusinessCalendar(cal: BusinessCalendar): string[] {
  const problems: string[] = [];
  // IANAZone.create caches the zone (and its validity) by name; isValidZone builds an
  // Intl.DateTimeFormat on every call, which made every case view's service level slow.
  if (typeof cal.zone !== 'string' || !IANAZone.create(cal.zone).isValid) {
    problems.push(`zone: unknown time zone ${JSON.stringify(cal.zone)}`);
  }
  let anyOpen = false;
  const before = problems.length;
  for (const wd of WEEKDAYS) {
    const h = cal.hours?.[wd];
    if (h === null) continue;
    if (h === undefined) {
      problems.push(`hours.${wd}: missing (use null for a closed day)`);
      continue;
    }
    if (!HHMM_RE.test(h.start) || h.start === '24:00') problems.push(`hours.${wd}.start: not HH:MM (00:00–23:59): ${JSON.stringify(h.start)}`);
    else if (!HHMM_RE.test(h.end)) problems.push(`hours.${wd}.end: not HH:MM (00:00–24:00): ${JSON.stringify(h.end)}`);
    else if (parseHHMM(h.start) >= parseHHMM(h.end)) problems.push(`hours.${wd}: start ${h.start} is not before end ${h.end}`);
    else anyOpen = true;
  }
  // Without an open weekday nothing could ever fall due; refusing it beats looping for ever.
  if (!anyOpen && problems.length === before) problems.push('hours: no weekday is open');
  (cal.closedDates ?? []).forEach((d, i) => {
    if (!isValidDate(d)) problems.push(`closedDates[${i}]: not a valid YYYY-MM-DD date: ${JSON.stringify(d)}`);
  });
  return problems;
}

function compile(cal: BusinessCalendar): CompiledCalendar {
  const problems = validateBusinessCalendar(cal);
  if (problems.length > 0) throw new RangeError(`invalid business calendar: ${problems.join('; ')}`);
  const minutes: Array<readonly [number, number] | null> = [null];
  for (const wd of WEEKDAYS) {
    const h = cal.hours[wd];
    minutes.push(h ? [parseHHMM(h.start), parseHHMM(h.end)] : null);
  }
  const zone = zoneOf(cal.zone);
  return { zone, minutes, closed: new Set(cal.closedDates), publicHolidays: cal.publicHolidays, probes: probesFor(zone) };
}

function probe(day: number, c: CompiledCalendar): number {
  let offset = c.probes.get(day);
  if (offset === undefined) {
    offset = c.zone.offset(day * DAY_MS) * MINUTE_MS;
    c.probes.set(day, offset);
  }
  return offset;
}

/** The instant of local time `minutes` after midnight on local `day`. */
function dayTimeToInstant(day: number, minutes: number, c: CompiledCalendar): number {
  const wall = day * DAY_MS + minutes * MINUTE_MS;
  // Every instant of a local day lies within a day either side of its UTC-midnight encoding (no
  // offset exceeds 14 h), and no zone changes offset twice within three days; so equal offsets at
  // both probes mean no transition touches this day and one cached lookup serves it.
  const before = probe(day - 1, c);
  if (before === probe(day + 2, c)) return wall - before;
  return wallToInstant(wall, c.zone);
}

/** The open interval [open, close) of a local day as instants, or null when closed all day. */
function openingOf(day: number, c: CompiledCalendar): readonly [number, number] | null {
  const mins = c.minutes[isoWeekdayOf(day)];
  if (!mins) return null;
  if (c.closed.size > 0 || c.publicHolidays) {
    const date = epochDayToDate(day);
    if (c.closed.has(date)) return null;
    if (c.publicHolidays && isNorwegianHoliday(date)) return null;
  }
  const open = dayTimeToInstant(day, mins[0], c);
  const close = dayTimeToInstant(day, mins[1], c);
  // Hours lying wholly inside a DST gap collapse to nothing rather than to a negative span.
  return close > open ? [open, close] : null;
}

function localDayOf(ms: number, zone: IANAZone): number {
  return Math.floor((ms + zone.offset(ms) * MINUTE_MS) / DAY_MS);
}

/**
 * The earliest instant >= `fromMs` with at least `targetMs` working time in [fromMs, result].
 * A zero target therefore yields the first open instant, which is what "counting begins at the
 * next opening" means for an immediate deadline.
 */
function addWorkingMillis(fromMs: number, targetMs: number, c: CompiledCalendar): number {
  let remaining = targetMs;
  const firstDay = localDayOf(fromMs, c.zone);
  for (let day = firstDay; day < firstDay + MAX_DAYS_WALKED; day++) {
    const span = openingOf(day, c);
    if (!span) continue;
    const s = Math.max(span[0], fromMs);
    if (s >= span[1]) continue;
    const available = span[1] - s;
    if (remaining <= available) return s + remaining;
    remaining -= available;
  }
  throw new RangeError(`working-time target not reached within ${MAX_DAYS_WALKED} days`);
}

function workingMillis(aMs: number, bMs: number, c: CompiledCalendar): number {
  if (bMs <= aMs) return 0;
  const lastDay = localDayOf(bMs, c.zone);
  let total = 0;
  for (let day = localDayOf(aMs, c.zone); day <= lastDay; day++) {
    const span = openingOf(day, c);
    if (!span) continue;
    const s = Math.max(span[0], aMs);
    const e = Math.min(span[1], bMs);
    if (e > s) total += e - s;
  }
  return total;
}

function assertHours(hours: number, what: string): number {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${hours}`);
  return Math.round(hours * HOUR_MS);
}

// ---------------------------------------------------------------------------------------------
// Public arithmetic
// ---------------------------------------------------------------------------------------------

/**
 * The instant at which `hours` working hours have elapsed, counting from `start`. If `start` is
 * outside opening hours, counting begins at the next opening. The result is the earliest such
 * instant, so a target that is used up exactly at closing time is due at closing (16:00), not at
 * the next morning's opening; a target of 0 gives the next opening (or `start` if open).
 *
 * Example: filed Friday 15:00 Oslo with 8 h under the default calendar → due Monday 15:00.
 *
 * @param hours working hours, finite and >= 0 (fractions allowed, rounded to the millisecond)
 * @throws RangeError for an invalid Date, negative/non-finite hours or an invalid calendar
 */
export function addWorkingHours(start: Date, hours: number, cal: BusinessCalendar): Date {
  const from = assertInstant(start, 'start');
  const target = assertHours(hours, 'hours');
  return new Date(addWorkingMillis(from, target, compile(cal)));
}

/**
 * Working time in milliseconds between two instants: the length of the overlap of [a, b) with
 * the calendar's opening hours. 0 when `b <= a`.
 *
 * @throws RangeError for an invalid Date or calendar
 */
export function workingMillisBetween(a: Date, b: Date, cal: BusinessCalendar): number {
  const aMs = assertInstant(a, 'a');
  const bMs = assertInstant(b, 'b');
  return workingMillis(aMs, bMs, compile(cal));
}

/**
 * Whether the calendar is open at `instant`. Opening hours are half-open: open at 08:00:00.000,
 * closed at 16:00:00.000.
 *
 * @throws RangeError for an invalid Date or calendar
 */
export function isOpenAt(instant: Date, cal: BusinessCalendar): boolean {
  const ms = assertInstant(instant, 'instant');
  const c = compile(cal);
  const span = openingOf(localDayOf(ms, c.zone), c);
  return span !== null && span[0] <= ms && ms < span[1];
}

/**
 * The earliest instant at or after `instant` when the calendar is open — `instant` itself if it
 * is already open. This is where working-time counting starts for a case filed at `instant`.
 *
 * @throws RangeError for an invalid Date or calendar
 */
export function nextOpening(instant: Date, cal: BusinessCalendar): Date {
  const ms = assertInstant(instant, 'instant');
  return new Date(addWorkingMillis(ms, 0, compile(cal)));
}

/** A stretch of time the service-level clock stood still (the case was WAITING_FOR_USER or ON_HOLD). */
export interface SlaPause {
  from: Date;
  /** null while the pause is still going on. */
  to: Date | null;
}

/** Result of {@link dueWithPauses}. */
export interface PausedDue {
  /** When the target is (or, if paused, would be) used up. Never null — see dueWithPauses. */
  dueAt: Date;
  /** True while an open pause (`to: null`) is going on. */
  paused: boolean;
}

/**
 * Service-level due time when the clock stops during pauses: the earliest instant by which
 * `targetHours` of working time have elapsed since `start`, not counting working time that falls
 * inside any pause. Pauses may overlap, lie partly before `start` or be given in any order.
 *
 * Open pause (`to: null`): the result has `paused: true` and `dueAt` computed as if the pause
 * ended at `now` — i.e. now + the remaining working time. We return that projection rather
 * than null so a case view can always show a time ("due Tuesday 10:00 if resumed now") and so
 * that sorting by due time keeps working; callers must not report a paused case as breached on
 * the strength of this projection, since it moves forward while the pause lasts. An open pause
 * whose `from` is after `now` (clock skew between writers) still counts as paused, with no
 * paused time yet.
 *
 * @param targetHours working hours, finite and >= 0
 * @param pauses the case's WAITING_FOR_USER / ON_HOLD intervals
 * @param now the current instant, used only to close an open pause
 * @throws RangeError for invalid Dates, a pause ending before it starts, bad hours or calendar
 */
export function dueWithPauses(
  start: Date,
  targetHours: number,
  pauses: ReadonlyArray<SlaPause>,
  cal: BusinessCalendar,
  now: Date,
): PausedDue {
  const startMs = assertInstant(start, 'start');
  const nowMs = assertInstant(now, 'now');
  const target = assertHours(targetHours, 'targetHours');
  const c = compile(cal);

  let paused = false;
  const intervals: Array<[number, number]> = [];
  pauses.forEach((p, i) => {
    const from = assertInstant(p.from, `pauses[${i}].from`);
    let to: number;
    if (p.to === null) {
      paused = true;
      to = Math.max(from, nowMs);
    } else {
      to = assertInstant(p.to, `pauses[${i}].to`);
      if (to < from) throw new RangeError(`pauses[${i}] ends before it starts`);
    }
    // Time before the case started never counted, so only the part after start matters.
    const f = Math.max(from, startMs);
    if (to > f) intervals.push([f, to]);
  });
  intervals.sort((x, y) => x[0] - y[0]);

  let remaining = target;
  let segStart = startMs;
  for (const [from, to] of intervals) {
    if (to <= segStart) continue; // swallowed by an earlier, overlapping pause
    if (from > segStart) {
      const available = workingMillis(segStart, from, c);
      // A zero target must land on open, running time, hence the `available > 0` requirement.
      if (available > 0 && remaining <= available) {
        return { dueAt: new Date(addWorkingMillis(segStart, remaining, c)), paused };
      }
      remaining -= available;
    }
    segStart = to;
  }
  return { dueAt: new Date(addWorkingMillis(segStart, remaining, c)), paused };
}
