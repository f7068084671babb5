/**
 * Working-hours arithmetic for service-level targets ("8 working hours to first response").
 *
 * Opening hours are wall-clock times in the calendar's zone, so they follow DST; working time
 * itself is measured in real elapsed milliseconds between instants. With the usual daytime hours
 * the two never disagree, because Norway changes clocks at night.
 *
 * The algorithms walk local calendar days, doing constant work per day, and never step through
 * time inside a day, so targets of hundreds of hours cost a few hundred iterations at most.
 * Every case view asks, so the work is memoised: a calendar is compiled (validated, hours
 * parsed) once per calendar object and content, each compiled calendar remembers the opening
 * of the days it has walked, and zone offsets are remembered per zone and day. All of these
 * depend only on the calendar's content and the process's tz data, and all are bounded.
 */
import { IANAZone } from 'luxon';
import { isNorwegianHoliday, isNorwegianHolidayDay } from './holidays';
import { assertInstant, probesFor, wallToInstant, zoneOf, zoneProbe } from './wall-clock';

export { fromWallClockMillis, toWallClockMillis } from './wall-clock';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One day's opening, local wall-clock `HH:MM`; `end` may be `24:00` (midnight after the day). */
export interface OpeningHours {
  start: string;
  end: string;
}

/**
 * When a service (case handling, phone support …) counts as open. Data, not code: treat it as
 * an immutable value. (The arithmetic memoises its compiled form per object and checks the
 * object's fields against that on every call, so an object changed in place is recompiled
 * rather than answered from stale data; building a new object is still the cheaper way.)
 */
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

// Off the hot path: only days outside the holiday module's years (or Date's range) need it,
// so that they fail with the same RangeError as ever.
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

/** A local day's open interval [open, close) as instants, or null when closed all day. */
type Opening = readonly [number, number] | null;

interface CompiledCalendar {
  zone: IANAZone;
  /** Minutes after local midnight, per ISO weekday; null = closed. */
  minutes: ReadonlyArray<readonly [number, number] | null>;
  /** Extra closed local dates as epoch days (local date read as a UTC date). */
  closed: ReadonlySet<number>;
  publicHolidays: boolean;
  /** Shared per zone; see probeCache. */
  probes: Map<number, number>;
  /** openingOf's answer per local epoch day, for this calendar only. Bounded by OPENING_CACHE_LIMIT. */
  openings: Map<number, Opening>;
}

// Openings remembered per compiled calendar: about 27 years of days, far more than a case's
// life, so a busy calendar keeps its whole working set.
const OPENING_CACHE_LIMIT = 10_000;

// Compiled calendars, by content (see contentKey), so the fresh calendar objects that callers
// build from the database every few seconds share one compiled calendar and its openings.
// At most COMPILED_CACHE_LIMIT of them (oldest dropped first), each with bounded caches.
const COMPILED_CACHE_LIMIT = 16;
const compiledByContent = new Map<string, CompiledCalendar>();

// The compiled calendar of a calendar object, with the field values it was compiled from: a
// lookup compares them with the object's current fields (a few reference comparisons), so a
// calendar changed in place is compiled afresh. Weak, so it never keeps a calendar alive.
interface CompiledEntry {
  compiled: CompiledCalendar;
  zone: unknown;
  publicHolidays: unknown;
  hours: unknown;
  /** For ISO weekday wd, at 3·wd, 3·wd + 1 and 3·wd + 2: the opening object, its start and its end. */
  days: unknown[];
  closedDates: unknown;
  closedCopy: readonly unknown[];
}
const compiledByObject = new WeakMap<BusinessCalendar, CompiledEntry>();

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

function entryMatches(e: CompiledEntry, cal: BusinessCalendar): boolean {
  if (e.zone !== cal.zone || e.publicHolidays !== cal.publicHolidays || e.hours !== cal.hours) return false;
  const hours = cal.hours;
  for (let wd = 1; wd <= 7; wd++) {
    const h = hours[wd as IsoWeekday];
    const i = wd * 3;
    if (h !== e.days[i]) return false;
    if (h !== null && (h.start !== e.days[i + 1] || h.end !== e.days[i + 2])) return false;
  }
  const closed = cal.closedDates;
  if (closed !== e.closedDates || closed.length !== e.closedCopy.length) return false;
  for (let i = 0; i < closed.length; i++) if (closed[i] !== e.closedCopy[i]) return false;
  return true;
}

/** The calendar's content as a string; only called on validated calendars, where it is exact. */
function contentKey(cal: BusinessCalendar): string {
  const hours = WEEKDAYS.map((wd) => {
    const h = cal.hours[wd];
    return h ? [h.start, h.end] : null;
  });
  return JSON.stringify([cal.zone, hours, [...(cal.closedDates ?? [])], Boolean(cal.publicHolidays)]);
}

function compile(cal: BusinessCalendar): CompiledCalendar {
  const entry = compiledByObject.get(cal);
  if (entry !== undefined && entryMatches(entry, cal)) return entry.compiled;
  const problems = validateBusinessCalendar(cal);
  if (problems.length > 0) throw new RangeError(`invalid business calendar: ${problems.join('; ')}`);
  const key = contentKey(cal);
  let compiled = compiledByContent.get(key);
  if (compiled === undefined) {
    compiled = compileValid(cal);
    if (compiledByContent.size >= COMPILED_CACHE_LIMIT) compiledByContent.delete(compiledByContent.keys().next().value as string);
    compiledByContent.set(key, compiled);
  }
  // Only arrays are remembered per object: their elements can be compared cheaply.
  if (Array.isArray(cal.closedDates)) {
    const days: unknown[] = [null, null, null];
    for (const wd of WEEKDAYS) {
      const h = cal.hours[wd];
      days.push(h, h?.start, h?.end);
    }
    compiledByObject.set(cal, {
      compiled,
      zone: cal.zone,
      publicHolidays: cal.publicHolidays,
      hours: cal.hours,
      days,
      closedDates: cal.closedDates,
      closedCopy: [...cal.closedDates],
    });
  }
  return compiled;
}

function compileValid(cal: BusinessCalendar): CompiledCalendar {
  const minutes: Array<readonly [number, number] | null> = [null];
  for (const wd of WEEKDAYS) {
    const h = cal.hours[wd];
    minutes.push(h ? [parseHHMM(h.start), parseHHMM(h.end)] : null);
  }
  const zone = zoneOf(cal.zone);
  const closed = new Set([...(cal.closedDates ?? [])].map((d) => Date.parse(`${d}T00:00:00Z`) / DAY_MS));
  return { zone, minutes, closed, publicHolidays: Boolean(cal.publicHolidays), probes: probesFor(zone), openings: new Map() };
}

function probe(day: number, c: CompiledCalendar): number {
  return zoneProbe(day, c.zone, c.probes);
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

// Days the holiday module's day numbers cover (years 1583..9999); outside them the date-string
// check runs, so such days fail with the same RangeError as before.
const FIRST_HOLIDAY_DAY = Date.UTC(1583, 0, 1) / DAY_MS;
const LAST_HOLIDAY_DAY = Date.UTC(9999, 11, 31) / DAY_MS;
// A Date holds at most ±10^8 days around 1970-01-01.
const LAST_DATE_DAY = 100_000_000;

function isHoliday(day: number): boolean {
  if (day >= FIRST_HOLIDAY_DAY && day <= LAST_HOLIDAY_DAY) return isNorwegianHolidayDay(day);
  return isNorwegianHoliday(epochDayToDate(day));
}

/** The open interval [open, close) of a local day as instants, or null when closed all day. */
function openingOf(day: number, c: CompiledCalendar): Opening {
  let span = c.openings.get(day);
  if (span === undefined) {
    span = computeOpening(day, c);
    if (c.openings.size >= OPENING_CACHE_LIMIT) c.openings.clear();
    c.openings.set(day, span);
  }
  return span;
}

function computeOpening(day: number, c: CompiledCalendar): Opening {
  const mins = c.minutes[isoWeekdayOf(day)];
  if (!mins) return null;
  // Days past the ends of Date's range had no date string, and asking for one threw.
  if ((c.closed.size > 0 || c.publicHolidays) && !(Math.abs(day) <= LAST_DATE_DAY)) epochDayToDate(day);
  if (c.closed.has(day)) return null;
  if (c.publicHolidays && isHoliday(day)) return null;
  const open = dayTimeToInstant(day, mins[0], c);
  const close = dayTimeToInstant(day, mins[1], c);
  // Hours lying wholly inside a DST gap collapse to nothing rather than to a negative span.
  return close > open ? [open, close] : null;
}

/** The local epoch day of instant `ms`. */
function localDayOf(ms: number, c: CompiledCalendar): number {
  // ms lies within UTC day d; equal offsets at that day's two UTC midnights mean no transition
  // in between (no zone changes offset twice within a day), so the cached probe is ms's offset.
  const d = Math.floor(ms / DAY_MS);
  const offset = probe(d, c);
  if (offset === probe(d + 1, c)) return Math.floor((ms + offset) / DAY_MS);
  return Math.floor((ms + c.zone.offset(ms) * MINUTE_MS) / DAY_MS);
}

/**
 * The earliest instant >= `fromMs` with at least `targetMs` working time in [fromMs, result].
 * A zero target therefore yields the first open instant, which is what "counting begins at the
 * next opening" means for an immediate deadline.
 */
function addWorkingMillis(fromMs: number, targetMs: number, c: CompiledCalendar): number {
  let remaining = targetMs;
  const firstDay = localDayOf(fromMs, c);
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
  const lastDay = localDayOf(bMs, c);
  let total = 0;
  for (let day = localDayOf(aMs, c); day <= lastDay; day++) {
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
  const span = openingOf(localDayOf(ms, c), c);
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
export function dueWithPauses(start: Date, targetHours: number, pauses: ReadonlyArray<SlaPause>, cal: BusinessCalendar, now: Date): PausedDue {
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
