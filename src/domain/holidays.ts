/**
 * Norwegian public holidays (helligdager and the two statutory public days, 1 and 17 May).
 * Pure calendar arithmetic on `YYYY-MM-DD` strings (or, for day walks, on day numbers): no time
 * zone is involved because a holiday is a local calendar date, whatever zone the caller later
 * interprets it in.
 */

export interface NorwegianHoliday {
  /** Local calendar date, `YYYY-MM-DD`. */
  date: string;
  name: { nb: string; en: string };
}

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// The anonymous Gregorian algorithm is only defined for the Gregorian calendar (from 1583), and
// the four-digit date format caps the other end.
const MIN_YEAR = 1583;
const MAX_YEAR = 9999;

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year must be an integer in ${MIN_YEAR}..${MAX_YEAR}, got ${year}`);
  }
}

// Date.UTC is used purely as a proleptic Gregorian day counter; UTC avoids any host-zone DST.
function formatUtcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function easterMillis(year: number): number {
  // Meeus/Jones/Butcher ("anonymous Gregorian") computus.
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date.UTC(year, month - 1, day);
}

/**
 * Easter Sunday of `year` in the Gregorian calendar, computed with the anonymous Gregorian
 * (Meeus/Jones/Butcher) algorithm.
 *
 * @param year integer year, 1583..9999
 * @returns the date as `YYYY-MM-DD`
 * @throws RangeError for a year outside the Gregorian range
 */
export function easterSunday(year: number): string {
  assertYear(year);
  return formatUtcDate(easterMillis(year));
}

const EASTER_RELATIVE: ReadonlyArray<{ offset: number; nb: string; en: string }> = [
  { offset: -3, nb: 'Skjærtorsdag', en: 'Maundy Thursday' },
  { offset: -2, nb: 'Langfredag', en: 'Good Friday' },
  { offset: 0, nb: '1. påskedag', en: 'Easter Sunday' },
  { offset: 1, nb: '2. påskedag', en: 'Easter Monday' },
  { offset: 39, nb: 'Kristi himmelfartsdag', en: 'Ascension Day' },
  { offset: 49, nb: '1. pinsedag', en: 'Whit Sunday' },
  { offset: 50, nb: '2. pinsedag', en: 'Whit Monday' },
];

const FIXED: ReadonlyArray<{ month: number; day: number; nb: string; en: string }> = [
  { month: 1, day: 1, nb: '1. nyttårsdag', en: "New Year's Day" },
  { month: 5, day: 1, nb: 'Offentlig høytidsdag (1. mai)', en: 'Labour Day' },
  { month: 5, day: 17, nb: 'Grunnlovsdag (17. mai)', en: 'Constitution Day' },
  { month: 12, day: 25, nb: '1. juledag', en: 'Christmas Day' },
  { month: 12, day: 26, nb: '2. juledag', en: 'Boxing Day' },
];

const listCache = new Map<number, readonly NorwegianHoliday[]>();
const setCache = new Map<number, ReadonlySet<string>>();

function holidaysOf(year: number): readonly NorwegianHoliday[] {
  const cached = listCache.get(year);
  if (cached) return cached;
  const easter = easterMillis(year);
  const list: NorwegianHoliday[] = [
    ...FIXED.map((h) => ({ date: formatUtcDate(Date.UTC(year, h.month - 1, h.day)), name: { nb: h.nb, en: h.en } })),
    ...EASTER_RELATIVE.map((h) => ({ date: formatUtcDate(easter + h.offset * DAY_MS), name: { nb: h.nb, en: h.en } })),
  ];
  // Stable sort keeps both entries when two holidays share a date (e.g. 17 May and Whit Monday
  // in 2027): each is a holiday in its own right and callers may want to show both names.
  list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  listCache.set(year, list);
  setCache.set(year, new Set(list.map((h) => h.date)));
  return list;
}

/**
 * All Norwegian public holidays of `year`, sorted by date. Two holidays falling on the same date
 * (17 May can coincide with Ascension Day or Whit Monday, 1 May with Ascension Day) are both
 * listed, so the list can hold the same date twice.
 *
 * @param year integer year, 1583..9999
 * @returns a fresh array (safe to mutate) of `{ date: 'YYYY-MM-DD', name: { nb, en } }`
 * @throws RangeError for a year outside the Gregorian range
 */
export function norwegianHolidays(year: number): NorwegianHoliday[] {
  assertYear(year);
  // Copies so a caller mutating the result cannot corrupt the per-year cache.
  return holidaysOf(year).map((h) => ({ date: h.date, name: { ...h.name } }));
}

/**
 * Whether a local calendar date is a Norwegian public holiday. Results are memoised per year,
 * since calendar arithmetic asks this once per day it walks.
 *
 * @param date `YYYY-MM-DD`
 * @throws RangeError when `date` is not a valid `YYYY-MM-DD` date in 1583..9999
 */
export function isNorwegianHoliday(date: string): boolean {
  const m = DATE_RE.exec(date);
  const year = m ? Number(m[1]) : NaN;
  if (!m || formatUtcDate(Date.UTC(year, Number(m[2]) - 1, Number(m[3]))) !== date) {
    throw new RangeError(`not a valid YYYY-MM-DD date: ${JSON.stringify(date)}`);
  }
  assertYear(year);
  let set = setCache.get(year);
  if (!set) {
    holidaysOf(year);
    set = setCache.get(year);
  }
  return set?.has(date) ?? false;
}

const daySetCache = new Map<number, ReadonlySet<number>>();

/**
 * Whether calendar day number `day` is a Norwegian public holiday, where day 0 is 1970-01-01 and
 * each day counts one (proleptic Gregorian, as `Date.UTC(y, m, d) / 86 400 000` numbers them).
 * The same answer as {@link isNorwegianHoliday} for that day's date, without building the
 * string: calendar arithmetic asks this once per day it walks. Memoised per year.
 *
 * @param day integer day number of a date in 1583..9999
 * @throws RangeError when `day` is not an integer or its year is outside 1583..9999
 */
export function isNorwegianHolidayDay(day: number): boolean {
  if (!Number.isInteger(day)) throw new RangeError(`day must be an integer, got ${day}`);
  const year = new Date(day * DAY_MS).getUTCFullYear();
  assertYear(year);
  let set = daySetCache.get(year);
  if (!set) {
    const easter = easterMillis(year) / DAY_MS;
    set = new Set([...FIXED.map((h) => Date.UTC(year, h.month - 1, h.day) / DAY_MS), ...EASTER_RELATIVE.map((h) => easter + h.offset)]);
    daySetCache.set(year, set);
  }
  return set.has(day);
}
