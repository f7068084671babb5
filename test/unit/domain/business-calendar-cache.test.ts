/**
 * The business-calendar arithmetic memoises compiled calendars, per-day openings and zone
 * offsets. These tests look for wrong answers from those caches: calendars that differ only in
 * one field evaluated alternately, calendars changed in place, DST days in both directions and
 * zones other than Oslo, and a property test against a reference implementation without caches.
 */
import fc from 'fast-check';
import { IANAZone } from 'luxon';
import {
  addWorkingHours,
  type BusinessCalendar,
  defaultServiceCalendar,
  dueWithPauses,
  isOpenAt,
  type IsoWeekday,
  nextOpening,
  type OpeningHours,
  toWallClockMillis,
  type PausedDue,
  type SlaPause,
  validateBusinessCalendar,
  workingMillisBetween,
} from '../../../src/domain/business-calendar';
import { isNorwegianHoliday } from '../../../src/domain/holidays';

const at = (iso: string): Date => new Date(iso);
const H = 3_600_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Reference: the arithmetic as it was before memoisation, made plainer still: every offset comes
// straight from luxon, every calendar is validated and compiled on every call, dates are strings.
// ---------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

interface RefCompiled {
  zone: IANAZone;
  minutes: Array<readonly [number, number] | null>;
  closed: Set<string>;
  publicHolidays: boolean;
}

function refCompile(cal: BusinessCalendar): RefCompiled {
  const problems = validateBusinessCalendar(cal);
  if (problems.length > 0) throw new RangeError(`invalid business calendar: ${problems.join('; ')}`);
  const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const minutes: Array<readonly [number, number] | null> = [null];
  for (const wd of WEEKDAYS) {
    const h = cal.hours[wd];
    minutes.push(h ? [hhmm(h.start), hhmm(h.end)] : null);
  }
  return { zone: IANAZone.create(cal.zone), minutes, closed: new Set(cal.closedDates), publicHolidays: cal.publicHolidays };
}

function refWallToInstant(wall: number, zone: IANAZone): number {
  const before = zone.offset(wall - DAY) * MINUTE;
  const after = zone.offset(wall + DAY) * MINUTE;
  const viaBefore = wall - before;
  const viaAfter = wall - after;
  const beforeFits = zone.offset(viaBefore) * MINUTE === before;
  const afterFits = zone.offset(viaAfter) * MINUTE === after;
  if (beforeFits && afterFits) return Math.min(viaBefore, viaAfter);
  if (beforeFits) return viaBefore;
  if (afterFits) return viaAfter;
  return viaBefore;
}

function refOpeningOf(day: number, c: RefCompiled): readonly [number, number] | null {
  const mins = c.minutes[((((day + 3) % 7) + 7) % 7) + 1];
  if (!mins) return null;
  const date = new Date(day * DAY).toISOString().slice(0, 10);
  if (c.closed.has(date)) return null;
  if (c.publicHolidays && isNorwegianHoliday(date)) return null;
  const open = refWallToInstant(day * DAY + mins[0] * MINUTE, c.zone);
  const close = refWallToInstant(day * DAY + mins[1] * MINUTE, c.zone);
  return close > open ? [open, close] : null;
}

function refLocalDayOf(ms: number, zone: IANAZone): number {
  return Math.floor((ms + zone.offset(ms) * MINUTE) / DAY);
}

function refAdd(fromMs: number, targetMs: number, c: RefCompiled): number {
  let remaining = targetMs;
  const firstDay = refLocalDayOf(fromMs, c.zone);
  for (let day = firstDay; day < firstDay + 366 * 200; day++) {
    const span = refOpeningOf(day, c);
    if (!span) continue;
    const s = Math.max(span[0], fromMs);
    if (s >= span[1]) continue;
    if (remaining <= span[1] - s) return s + remaining;
    remaining -= span[1] - s;
  }
  throw new RangeError('not reached');
}

function refWorking(aMs: number, bMs: number, c: RefCompiled): number {
  if (bMs <= aMs) return 0;
  let total = 0;
  for (let day = refLocalDayOf(aMs, c.zone); day <= refLocalDayOf(bMs, c.zone); day++) {
    const span = refOpeningOf(day, c);
    if (!span) continue;
    const s = Math.max(span[0], aMs);
    const e = Math.min(span[1], bMs);
    if (e > s) total += e - s;
  }
  return total;
}

const ref = {
  addWorkingHours: (start: Date, hours: number, cal: BusinessCalendar): Date =>
    new Date(refAdd(start.getTime(), Math.round(hours * H), refCompile(cal))),
  workingMillisBetween: (a: Date, b: Date, cal: BusinessCalendar): number => refWorking(a.getTime(), b.getTime(), refCompile(cal)),
  isOpenAt: (instant: Date, cal: BusinessCalendar): boolean => {
    const c = refCompile(cal);
    const ms = instant.getTime();
    const span = refOpeningOf(refLocalDayOf(ms, c.zone), c);
    return span !== null && span[0] <= ms && ms < span[1];
  },
  nextOpening: (instant: Date, cal: BusinessCalendar): Date => new Date(refAdd(instant.getTime(), 0, refCompile(cal))),
  dueWithPauses: (start: Date, targetHours: number, pauses: readonly SlaPause[], cal: BusinessCalendar, now: Date): PausedDue => {
    const c = refCompile(cal);
    const startMs = start.getTime();
    let paused = false;
    const intervals: Array<[number, number]> = [];
    for (const p of pauses) {
      const from = p.from.getTime();
      let to: number;
      if (p.to === null) {
        paused = true;
        to = Math.max(from, now.getTime());
      } else to = p.to.getTime();
      const f = Math.max(from, startMs);
      if (to > f) intervals.push([f, to]);
    }
    intervals.sort((x, y) => x[0] - y[0]);
    let remaining = Math.round(targetHours * H);
    let segStart = startMs;
    for (const [from, to] of intervals) {
      if (to <= segStart) continue;
      if (from > segStart) {
        const available = refWorking(segStart, from, c);
        if (available > 0 && remaining <= available) return { dueAt: new Date(refAdd(segStart, remaining, c)), paused };
        remaining -= available;
      }
      segStart = to;
    }
    return { dueAt: new Date(refAdd(segStart, remaining, c)), paused };
  },
};

// ---------------------------------------------------------------------------------------------

function calendar(zone: string, open: Partial<Record<IsoWeekday, OpeningHours>>, extra: Partial<BusinessCalendar> = {}): BusinessCalendar {
  const hours = Object.fromEntries(WEEKDAYS.map((d) => [d, open[d] ?? null])) as Record<IsoWeekday, OpeningHours | null>;
  return { zone, hours, closedDates: [], publicHolidays: false, ...extra };
}

const everyDay = (start: string, end: string): Partial<Record<IsoWeekday, OpeningHours>> =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, { start, end }]));

const weekdays = (start: string, end: string): Partial<Record<IsoWeekday, OpeningHours>> =>
  Object.fromEntries(WEEKDAYS.slice(0, 5).map((d) => [d, { start, end }]));

describe('memoised calendars answer for the calendar they are given', () => {
  it('keeps two calendars with the same hours but different closed dates apart, evaluated alternately', () => {
    const a: BusinessCalendar = { ...defaultServiceCalendar, closedDates: ['2025-03-18'] };
    const b: BusinessCalendar = { ...defaultServiceCalendar, closedDates: ['2025-03-19'] };
    const aAgain: BusinessCalendar = { ...defaultServiceCalendar, closedDates: ['2025-03-18'] };
    const monClose = at('2025-03-17T16:00+01:00');
    for (let round = 0; round < 3; round++) {
      expect(isOpenAt(at('2025-03-18T10:00+01:00'), a)).toBe(false);
      expect(isOpenAt(at('2025-03-18T10:00+01:00'), b)).toBe(true);
      expect(isOpenAt(at('2025-03-19T10:00+01:00'), a)).toBe(true);
      expect(isOpenAt(at('2025-03-19T10:00+01:00'), b)).toBe(false);
      expect(addWorkingHours(monClose, 8, a)).toEqual(at('2025-03-19T16:00+01:00'));
      expect(addWorkingHours(monClose, 8, b)).toEqual(at('2025-03-18T16:00+01:00'));
      expect(addWorkingHours(monClose, 8, aAgain)).toEqual(at('2025-03-19T16:00+01:00'));
      expect(addWorkingHours(monClose, 8, defaultServiceCalendar)).toEqual(at('2025-03-18T16:00+01:00'));
      expect(nextOpening(monClose, a)).toEqual(at('2025-03-19T08:00+01:00'));
      expect(nextOpening(monClose, b)).toEqual(at('2025-03-18T08:00+01:00'));
    }
  });

  it('keeps calendars apart that differ only in zone or in public holidays', () => {
    const oslo = calendar('Europe/Oslo', weekdays('09:00', '17:00'));
    const newYork = calendar('America/New_York', weekdays('09:00', '17:00'));
    const osloHolidays = calendar('Europe/Oslo', weekdays('09:00', '17:00'), { publicHolidays: true });
    for (let round = 0; round < 3; round++) {
      // 16:30 Oslo = 11:30 New York, Monday.
      expect(isOpenAt(at('2025-03-17T16:30+01:00'), oslo)).toBe(true);
      expect(isOpenAt(at('2025-03-17T17:30+01:00'), oslo)).toBe(false);
      expect(isOpenAt(at('2025-03-17T17:30+01:00'), newYork)).toBe(true);
      // Good Friday 2025.
      expect(isOpenAt(at('2025-04-18T10:00+02:00'), oslo)).toBe(true);
      expect(isOpenAt(at('2025-04-18T10:00+02:00'), osloHolidays)).toBe(false);
      expect(workingMillisBetween(at('2025-04-14T00:00+02:00'), at('2025-04-22T00:00+02:00'), oslo)).toBe(6 * 8 * H);
      expect(workingMillisBetween(at('2025-04-14T00:00+02:00'), at('2025-04-22T00:00+02:00'), osloHolidays)).toBe(3 * 8 * H);
    }
  });

  it('notices a calendar object changed in place after it was used', () => {
    const closedDates = ['2025-03-18'];
    const monday: OpeningHours = { start: '08:00', end: '16:00' };
    const hours: Record<IsoWeekday, OpeningHours | null> = { ...defaultServiceCalendar.hours, 1: monday };
    const cal = { zone: 'Europe/Oslo', hours, closedDates, publicHolidays: true } as BusinessCalendar & {
      zone: string;
      publicHolidays: boolean;
      closedDates: string[];
    };
    const probe = () => {
      const start = at('2025-03-14T12:00+01:00');
      const got = [isOpenAt(at('2025-03-17T07:30+01:00'), cal), addWorkingHours(start, 20, cal).toISOString()];
      expect(got).toEqual([ref.isOpenAt(at('2025-03-17T07:30+01:00'), cal), ref.addWorkingHours(start, 20, cal).toISOString()]);
      return got;
    };
    const seen = new Set<string>();
    const step = (change: () => void) => {
      change();
      seen.add(JSON.stringify(probe()));
    };
    step(() => undefined);
    step(() => closedDates.push('2025-03-19')); // array grown in place
    step(() => (closedDates[0] = '2025-03-20')); // element replaced in place
    step(() => (cal.closedDates = [])); // array replaced
    step(() => (monday.start = '07:00')); // an opening changed in place
    step(() => (hours[1] = null)); // a weekday closed
    step(() => (hours[1] = { start: '06:00', end: '18:00' }));
    step(() => (cal.zone = 'America/New_York'));
    step(() => (cal.publicHolidays = false));
    expect(seen.size).toBeGreaterThan(5);
    monday.start = '17:00';
    hours[1] = monday;
    expect(() => isOpenAt(at('2025-03-17T10:00+01:00'), cal)).toThrow(/start 17:00 is not before end 16:00/);
    monday.start = '08:00';
    probe();
  });
});

describe('DST days are memoised correctly', () => {
  const allDay = calendar('Europe/Oslo', everyDay('00:00', '24:00'));
  const night = calendar('Europe/Oslo', everyDay('01:00', '04:00'));
  const gapOnly = calendar('Europe/Oslo', everyDay('02:00', '03:00'));
  const lateSunday = calendar('Europe/Oslo', { 7: { start: '23:00', end: '24:00' } });

  it.each([1, 2])('spring forward in Oslo (2025-03-30), pass %i', () => {
    expect(workingMillisBetween(at('2025-03-30T00:00+01:00'), at('2025-03-31T00:00+02:00'), allDay)).toBe(23 * H);
    expect(workingMillisBetween(at('2025-03-30T00:00+01:00'), at('2025-03-31T00:00+02:00'), night)).toBe(2 * H);
    expect(workingMillisBetween(at('2025-03-29T00:00+01:00'), at('2025-04-01T00:00+02:00'), gapOnly)).toBe(2 * H);
    expect(nextOpening(at('2025-03-29T03:00+01:00'), gapOnly)).toEqual(at('2025-03-31T02:00+02:00'));
    expect(isOpenAt(at('2025-03-30T03:30+02:00'), night)).toBe(true);
    expect(isOpenAt(at('2025-03-30T01:59:59.999+01:00'), night)).toBe(true);
    expect(isOpenAt(at('2025-03-30T04:00+02:00'), night)).toBe(false);
    expect(isOpenAt(at('2025-03-30T23:30+02:00'), lateSunday)).toBe(true);
    expect(isOpenAt(at('2025-03-29T23:30+01:00'), lateSunday)).toBe(false);
    expect(isOpenAt(at('2025-03-31T00:00+02:00'), lateSunday)).toBe(false);
    expect(addWorkingHours(at('2025-03-29T12:00+01:00'), 14, allDay)).toEqual(at('2025-03-30T03:00+02:00'));
  });

  it.each([1, 2])('fall back in Oslo (2025-10-26), pass %i', () => {
    expect(workingMillisBetween(at('2025-10-26T00:00+02:00'), at('2025-10-27T00:00+01:00'), allDay)).toBe(25 * H);
    expect(workingMillisBetween(at('2025-10-26T00:00+02:00'), at('2025-10-27T00:00+01:00'), night)).toBe(4 * H);
    expect(workingMillisBetween(at('2025-10-26T00:00+02:00'), at('2025-10-27T00:00+01:00'), gapOnly)).toBe(2 * H);
    // 02:30 happens twice; the opening runs from the first 02:00 to the second 03:00.
    expect(isOpenAt(at('2025-10-26T02:30+02:00'), gapOnly)).toBe(true);
    expect(isOpenAt(at('2025-10-26T02:30+01:00'), gapOnly)).toBe(true);
    expect(isOpenAt(at('2025-10-26T03:00+01:00'), gapOnly)).toBe(false);
    expect(isOpenAt(at('2025-10-26T23:30+01:00'), lateSunday)).toBe(true);
    expect(isOpenAt(at('2025-10-26T22:59:59.999+01:00'), lateSunday)).toBe(false);
    expect(addWorkingHours(at('2025-10-25T12:00+02:00'), 14, allDay)).toEqual(at('2025-10-26T01:00+01:00'));
  });

  it('matches the reference on every hour of the days around each Oslo transition 2020–2030', () => {
    const cals = [allDay, night, gapOnly, lateSunday, defaultServiceCalendar];
    for (const t of transitionsOf('Europe/Oslo')) {
      const got: string[] = [];
      const want: string[] = [];
      for (let ms = t - 36 * H; ms < t + 48 * H; ms += H) {
        for (const cal of cals) {
          got.push(`${new Date(ms).toISOString()} ${isOpenAt(new Date(ms), cal)}`);
          want.push(`${new Date(ms).toISOString()} ${ref.isOpenAt(new Date(ms), cal)}`);
        }
      }
      expect(got).toEqual(want);
      for (const cal of cals) {
        const a = new Date(t - 2 * DAY - 7 * 60_000);
        expect(workingMillisBetween(a, new Date(t + 2 * DAY), cal)).toBe(ref.workingMillisBetween(a, new Date(t + 2 * DAY), cal));
      }
    }
  });
});

describe('other zones', () => {
  it('counts across the New York DST changes (2025-03-09 and 2025-11-02)', () => {
    const ny = calendar('America/New_York', weekdays('09:00', '17:00'), { closedDates: ['2025-11-03'] });
    expect(addWorkingHours(at('2025-03-07T16:00-05:00'), 8, ny)).toEqual(at('2025-03-10T16:00-04:00'));
    expect(addWorkingHours(at('2025-10-31T16:00-04:00'), 8, ny)).toEqual(at('2025-11-04T16:00-05:00'));
    expect(isOpenAt(at('2025-03-10T09:00-04:00'), ny)).toBe(true);
    expect(isOpenAt(at('2025-03-10T08:30-04:00'), ny)).toBe(false);
    const allSunday = calendar('America/New_York', { 7: { start: '00:00', end: '24:00' } });
    expect(workingMillisBetween(at('2025-03-08T00:00-05:00'), at('2025-03-11T00:00-04:00'), allSunday)).toBe(23 * H);
    expect(workingMillisBetween(at('2025-11-01T00:00-04:00'), at('2025-11-04T00:00-05:00'), allSunday)).toBe(25 * H);
  });

  it('follows Pacific/Chatham (+12:45/+13:45, clocks change at 02:45/03:45)', () => {
    const allSunday = calendar('Pacific/Chatham', { 7: { start: '00:00', end: '24:00' } });
    // DST ends Sunday 2025-04-06 03:45 → 02:45; starts Sunday 2025-09-28 02:45 → 03:45.
    expect(workingMillisBetween(at('2025-04-05T00:00+13:45'), at('2025-04-08T00:00+12:45'), allSunday)).toBe(25 * H);
    expect(workingMillisBetween(at('2025-09-27T00:00+12:45'), at('2025-09-30T00:00+13:45'), allSunday)).toBe(23 * H);
    const inGap = calendar('Pacific/Chatham', { 7: { start: '02:45', end: '03:45' } });
    expect(workingMillisBetween(at('2025-09-27T00:00+12:45'), at('2025-09-30T00:00+13:45'), inGap)).toBe(0);
    expect(workingMillisBetween(at('2025-04-05T00:00+13:45'), at('2025-04-08T00:00+12:45'), inGap)).toBe(2 * H);
    expect(nextOpening(at('2025-09-27T12:00+12:45'), inGap)).toEqual(at('2025-10-05T02:45+13:45'));
    expect(isOpenAt(at('2025-04-06T23:59+12:45'), allSunday)).toBe(true);
    expect(isOpenAt(at('2025-04-06T00:00+13:45'), allSunday)).toBe(true);
    expect(isOpenAt(at('2025-04-05T23:59+13:45'), allSunday)).toBe(false);
  });

  it('follows America/Santiago, whose clocks change at local midnight', () => {
    // 2025-09-07 00:00 → 01:00 (-04 → -03): that local day starts at 01:00.
    const earlyMorning = calendar('America/Santiago', everyDay('00:00', '02:00'));
    expect(workingMillisBetween(at('2025-09-06T12:00-04:00'), at('2025-09-07T12:00-03:00'), earlyMorning)).toBe(1 * H);
    expect(isOpenAt(at('2025-09-07T01:00-03:00'), earlyMorning)).toBe(true);
    expect(isOpenAt(at('2025-09-06T23:59:59.999-04:00'), earlyMorning)).toBe(false);
    expect(nextOpening(at('2025-09-06T12:00-04:00'), earlyMorning)).toEqual(at('2025-09-07T01:00-03:00'));
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the memoised arithmetic equals the reference over random instants 2020–2030.
// ---------------------------------------------------------------------------------------------

/** Instants at which `zone` changes offset in 2020–2030 (to the millisecond). */
function transitionsOf(name: string): number[] {
  const zone = IANAZone.create(name);
  const out: number[] = [];
  const first = Date.UTC(2020, 0, 1) / DAY;
  const last = Date.UTC(2031, 0, 1) / DAY;
  let prev = zone.offset(first * DAY);
  for (let d = first + 1; d <= last; d++) {
    const cur = zone.offset(d * DAY);
    if (cur !== prev) {
      let lo = (d - 1) * DAY;
      let hi = d * DAY;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (zone.offset(mid) === prev) lo = mid;
        else hi = mid;
      }
      out.push(hi);
    }
    prev = cur;
  }
  return out;
}

describe('property: memoised arithmetic equals the uncached reference', () => {
  const CALENDARS: BusinessCalendar[] = [
    defaultServiceCalendar,
    { ...defaultServiceCalendar, closedDates: ['2024-12-24', '2024-12-31', '2025-12-24', '2026-03-30', '2028-10-30'] },
    calendar('Europe/Oslo', everyDay('01:00', '04:00'), { closedDates: ['2026-03-29', '2027-10-31'] }),
    calendar('America/New_York', weekdays('09:00', '17:00'), { closedDates: ['2024-07-04', '2025-11-27', '2029-03-12'] }),
    calendar('Pacific/Chatham', { 1: { start: '00:00', end: '24:00' }, 6: { start: '02:00', end: '04:00' }, 7: { start: '02:30', end: '04:30' } }),
    calendar('Europe/Oslo', everyDay('20:00', '24:00'), { publicHolidays: true }),
    calendar('America/Santiago', everyDay('00:00', '02:00'), { publicHolidays: true }),
    calendar('America/Santiago', everyDay('22:00', '24:00')),
    calendar('Australia/Lord_Howe', everyDay('01:30', '02:30')),
  ];
  const transitions = [...new Set(CALENDARS.map((c) => c.zone))].flatMap(transitionsOf).sort((a, b) => a - b);
  const FROM = Date.UTC(2020, 0, 1);
  const TO = Date.UTC(2031, 0, 1);

  const instant = fc.oneof(
    fc.integer({ min: FROM, max: TO - 1 }),
    fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -3 * DAY, max: 4 * DAY })).map(([t, d]) => t + d),
    // Quarter-hour steps from a transition reach the local midnights and opening times of days
    // next to it in every zone here (Chatham's offsets end in :45, Lord Howe's in :30).
    fc
      .tuple(fc.constantFrom(...transitions), fc.integer({ min: -30 * 4, max: 30 * 4 }), fc.constantFrom(-60_000, -1, 0, 1, 60_000))
      .map(([t, q, d]) => t + q * 15 * 60_000 + d),
  );
  const calIndex = fc.integer({ min: 0, max: CALENDARS.length - 1 });
  const options = { seed: 20_251_001, numRuns: 300 };

  it('isOpenAt, for every calendar', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const d = new Date(ms);
        for (const cal of CALENDARS) expect(isOpenAt(d, cal)).toBe(ref.isOpenAt(d, cal));
      }),
      { ...options, numRuns: 600 },
    );
  });

  it('nextOpening, workingMillisBetween and addWorkingHours', () => {
    fc.assert(
      fc.property(
        calIndex,
        instant,
        fc.integer({ min: 0, max: 12 * DAY }),
        fc.integer({ min: 0, max: 40 * 4 }).map((q) => q / 4),
        (i, ms, span, hours) => {
          const cal = CALENDARS[i]!;
          const a = new Date(ms);
          const b = new Date(ms + span);
          expect(nextOpening(a, cal)).toEqual(ref.nextOpening(a, cal));
          expect(workingMillisBetween(a, b, cal)).toBe(ref.workingMillisBetween(a, b, cal));
          expect(addWorkingHours(a, hours, cal)).toEqual(ref.addWorkingHours(a, hours, cal));
        },
      ),
      options,
    );
  });

  it('dueWithPauses', () => {
    const pause = fc.record({
      from: fc.integer({ min: -DAY, max: 20 * DAY }),
      length: fc.integer({ min: 0, max: 5 * DAY }),
      open: fc.boolean(),
    });
    fc.assert(
      fc.property(
        calIndex,
        instant,
        fc.integer({ min: 0, max: 60 }),
        fc.array(pause, { maxLength: 3 }),
        fc.integer({ min: 0, max: 30 * DAY }),
        (i, ms, hours, ps, nowAfter) => {
          const cal = CALENDARS[i]!;
          const pauses: SlaPause[] = ps.map((p) => ({
            from: new Date(ms + p.from),
            to: p.open ? null : new Date(ms + p.from + p.length),
          }));
          const now = new Date(ms + nowAfter);
          expect(dueWithPauses(new Date(ms), hours, pauses, cal, now)).toEqual(ref.dueWithPauses(new Date(ms), hours, pauses, cal, now));
        },
      ),
      options,
    );
  });
});

describe('toWallClockMillis uses the cached day offsets', () => {
  const zones = ['Europe/Oslo', 'America/New_York', 'Pacific/Chatham', 'America/Santiago', 'Australia/Lord_Howe', 'UTC'];
  it('equals the zone offset read straight from luxon, near transitions and anywhere', () => {
    const transitions = [
      '2025-03-30T01:00:00Z',
      '2025-10-26T01:00:00Z',
      '2025-03-09T07:00:00Z',
      '2025-11-02T06:00:00Z',
      '2025-04-05T14:00:00Z',
      '2025-09-27T14:00:00Z',
      '2025-04-06T03:00:00Z',
      '2025-09-07T04:00:00Z',
    ].map((iso) => Date.parse(iso));
    const instant = fc.oneof(
      fc.integer({ min: Date.parse('2020-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') }),
      fc.tuple(fc.constantFrom(...transitions), fc.integer({ min: -2 * DAY, max: 2 * DAY })).map(([t, d]) => t + d),
    );
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (ms, zone) => {
        expect(toWallClockMillis(new Date(ms), zone)).toBe(ms + IANAZone.create(zone).offset(ms) * 60_000);
      }),
      { numRuns: 5000, seed: 20261127 },
    );
  });
});
