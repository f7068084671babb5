import {
  addWorkingHours,
  type BusinessCalendar,
  defaultServiceCalendar,
  dueWithPauses,
  fromWallClockMillis,
  isOpenAt,
  nextOpening,
  toWallClockMillis,
  validateBusinessCalendar,
  workingMillisBetween,
} from '../../../src/domain/business-calendar';
import { FixedClock } from '../../../src/domain/clock';

// Expected instants are written with explicit offsets (+01:00 winter, +02:00 summer in Oslo) so
// the tests do not lean on the zone code they are testing.
const at = (iso: string): Date => new Date(iso);
const H = 3_600_000;
const cal = defaultServiceCalendar;

function withHours(hours: Partial<BusinessCalendar['hours']>, extra: Partial<BusinessCalendar> = {}): BusinessCalendar {
  return { ...cal, ...extra, hours: { ...cal.hours, ...hours } };
}

describe('addWorkingHours', () => {
  it('is due Monday 15:00 when filed Friday 15:00 with 8 h (weekend skipped)', () => {
    expect(addWorkingHours(at('2025-03-14T15:00+01:00'), 8, cal)).toEqual(at('2025-03-17T15:00+01:00'));
  });

  it('is due Tuesday after Easter 12:00 when filed Wednesday before Easter 12:00 with 8 h (Thu–Mon closed)', () => {
    expect(addWorkingHours(at('2025-04-16T12:00+02:00'), 8, cal)).toEqual(at('2025-04-22T12:00+02:00'));
  });

  it('is due at closing the same day when the target ends exactly at 16:00, not next morning', () => {
    expect(addWorkingHours(at('2025-03-17T08:00+01:00'), 8, cal)).toEqual(at('2025-03-17T16:00+01:00'));
  });

  it('starts counting at Monday 08:00 for a case filed on Saturday', () => {
    expect(addWorkingHours(at('2025-03-15T11:00+01:00'), 3, cal)).toEqual(at('2025-03-17T11:00+01:00'));
  });

  it('starts counting next morning for a case filed after closing', () => {
    expect(addWorkingHours(at('2025-03-18T19:30+01:00'), 1.5, cal)).toEqual(at('2025-03-19T09:30+01:00'));
  });

  it('starts counting at 08:00 for a case filed before opening', () => {
    expect(addWorkingHours(at('2025-03-18T06:00+01:00'), 2, cal)).toEqual(at('2025-03-18T10:00+01:00'));
  });

  it('gives the next opening for a 0 h target filed outside hours, and the start itself inside hours', () => {
    expect(addWorkingHours(at('2025-03-14T16:00+01:00'), 0, cal)).toEqual(at('2025-03-17T08:00+01:00'));
    expect(addWorkingHours(at('2025-03-14T10:17+01:00'), 0, cal)).toEqual(at('2025-03-14T10:17+01:00'));
  });

  it('is due Monday 15:00 summer time when filed Friday 15:00 winter time across the spring DST change', () => {
    // Clocks go forward Sunday 2025-03-30; 16 real hours of opening, not 15 or 17.
    expect(addWorkingHours(at('2025-03-28T15:00+01:00'), 8, cal)).toEqual(at('2025-03-31T15:00+02:00'));
  });

  it('is due Monday 15:00 winter time when filed Friday 15:00 summer time across the autumn DST change', () => {
    expect(addWorkingHours(at('2025-10-24T15:00+02:00'), 8, cal)).toEqual(at('2025-10-27T15:00+01:00'));
  });

  it('skips extra closed dates', () => {
    const closed = { ...cal, closedDates: ['2025-03-17', '2025-03-18'] };
    expect(addWorkingHours(at('2025-03-14T15:00+01:00'), 8, closed)).toEqual(at('2025-03-19T15:00+01:00'));
  });

  it('counts through Easter when public holidays are switched off', () => {
    const open = { ...cal, publicHolidays: false };
    expect(addWorkingHours(at('2025-04-16T12:00+02:00'), 8, open)).toEqual(at('2025-04-17T12:00+02:00'));
  });

  it('follows other opening hours (phone support Mon–Fri 10:00–14:00)', () => {
    const phone = withHours({
      1: { start: '10:00', end: '14:00' },
      2: { start: '10:00', end: '14:00' },
      3: { start: '10:00', end: '14:00' },
      4: { start: '10:00', end: '14:00' },
      5: { start: '10:00', end: '14:00' },
    });
    expect(addWorkingHours(at('2025-03-14T13:00+01:00'), 2, phone)).toEqual(at('2025-03-17T11:00+01:00'));
    expect(addWorkingHours(at('2025-03-14T09:00+01:00'), 4, phone)).toEqual(at('2025-03-14T14:00+01:00'));
  });

  it('uses a Saturday opening when the calendar has one, and a short Friday', () => {
    const c = withHours({ 5: { start: '08:00', end: '12:00' }, 6: { start: '10:00', end: '13:00' } });
    // Fri 11:00 → 1 h left Friday, 3 h Saturday, then 4 h Monday.
    expect(addWorkingHours(at('2025-03-14T11:00+01:00'), 8, c)).toEqual(at('2025-03-17T12:00+01:00'));
  });

  it('supports an opening that ends at 24:00', () => {
    const allDay = withHours({ 1: { start: '00:00', end: '24:00' }, 2: { start: '00:00', end: '24:00' } });
    expect(addWorkingHours(at('2025-03-17T20:00+01:00'), 10, allDay)).toEqual(at('2025-03-18T06:00+01:00'));
  });

  it('is due 2025-03-14 16:00 for 400 h from Monday 2025-01-06 08:00 (ten whole weeks, no holidays)', () => {
    expect(addWorkingHours(at('2025-01-06T08:00+01:00'), 400, cal)).toEqual(at('2025-03-14T16:00+01:00'));
  });

  it('is due 2025-05-30 16:00 for 800 h from 2025-01-06 08:00 (Easter, 1 May and Ascension skipped)', () => {
    // 100 working days = 20 weeks to Fri 23 May, plus 4 days lost to Apr 17, 18, 21 and May 1;
    // Thursday 29 May (Ascension) is skipped on the way.
    expect(addWorkingHours(at('2025-01-06T08:00+01:00'), 800, cal)).toEqual(at('2025-05-30T16:00+02:00'));
  });

  it('handles very large targets quickly', () => {
    const t0 = performance.now();
    const due = addWorkingHours(at('2025-01-06T08:00+01:00'), 5000, cal);
    const elapsed = performance.now() - t0;
    expect(workingMillisBetween(at('2025-01-06T08:00+01:00'), due, cal)).toBe(5000 * H);
    expect(elapsed).toBeLessThan(500);
  });

  it('is the inverse of workingMillisBetween for assorted starts and targets', () => {
    const starts = ['2025-03-14T15:00+01:00', '2025-03-29T02:30+01:00', '2025-04-16T12:00+02:00', '2025-10-26T01:30+02:00', '2025-12-23T15:59+01:00'];
    for (const s of starts) {
      for (const hours of [0.25, 1, 7.5, 8, 37.5, 123]) {
        const due = addWorkingHours(at(s), hours, cal);
        expect(workingMillisBetween(at(s), due, cal)).toBe(hours * H);
        // Earliest instant: a millisecond earlier is not enough.
        expect(workingMillisBetween(at(s), new Date(due.getTime() - 1), cal)).toBe(hours * H - 1);
      }
    }
  });

  it('refuses negative or non-finite hours, invalid dates and invalid calendars', () => {
    expect(() => addWorkingHours(at('2025-03-14T15:00+01:00'), -1, cal)).toThrow(RangeError);
    expect(() => addWorkingHours(at('2025-03-14T15:00+01:00'), Number.POSITIVE_INFINITY, cal)).toThrow(RangeError);
    expect(() => addWorkingHours(new Date(Number.NaN), 1, cal)).toThrow(RangeError);
    expect(() => addWorkingHours(at('2025-03-14T15:00+01:00'), 1, { ...cal, zone: 'Europe/Nowhere' })).toThrow(/zone/);
    const closedAllWeek = withHours({ 1: null, 2: null, 3: null, 4: null, 5: null });
    expect(() => addWorkingHours(at('2025-03-14T15:00+01:00'), 1, closedAllWeek)).toThrow(/no weekday is open/);
  });
});

describe('workingMillisBetween', () => {
  it('is 0 when b is not after a', () => {
    expect(workingMillisBetween(at('2025-03-17T12:00+01:00'), at('2025-03-17T12:00+01:00'), cal)).toBe(0);
    expect(workingMillisBetween(at('2025-03-17T12:00+01:00'), at('2025-03-17T09:00+01:00'), cal)).toBe(0);
  });

  it('counts only opening hours within a day', () => {
    expect(workingMillisBetween(at('2025-03-17T07:00+01:00'), at('2025-03-17T10:30+01:00'), cal)).toBe(2.5 * H);
    expect(workingMillisBetween(at('2025-03-17T15:00+01:00'), at('2025-03-17T20:00+01:00'), cal)).toBe(1 * H);
  });

  it('is 2 h from Friday 15:00 to Monday 09:00', () => {
    expect(workingMillisBetween(at('2025-03-14T15:00+01:00'), at('2025-03-17T09:00+01:00'), cal)).toBe(2 * H);
  });

  it('is 0 over the Easter holidays (Thu 17 08:00 to Mon 21 16:00, 2025)', () => {
    expect(workingMillisBetween(at('2025-04-17T08:00+02:00'), at('2025-04-21T16:00+02:00'), cal)).toBe(0);
  });

  it('is exactly 16 h from Friday 08:00 to Monday 16:00 across the spring DST change', () => {
    expect(workingMillisBetween(at('2025-03-28T08:00+01:00'), at('2025-03-31T16:00+02:00'), cal)).toBe(16 * H);
  });

  it('measures real elapsed time, so a 24-hour opening is 23 h on the spring DST day and 25 h in autumn', () => {
    const allWeek: BusinessCalendar = {
      ...cal,
      hours: { 1: null, 2: null, 3: null, 4: null, 5: null, 6: null, 7: { start: '00:00', end: '24:00' } },
    };
    expect(workingMillisBetween(at('2025-03-29T12:00+01:00'), at('2025-04-01T12:00+02:00'), allWeek)).toBe(23 * H);
    expect(workingMillisBetween(at('2025-10-25T12:00+02:00'), at('2025-10-28T12:00+01:00'), allWeek)).toBe(25 * H);
  });

  it('counts 63 days × 8 h over Q1 2025 (64 weekdays minus New Year)', () => {
    // 2025-01-01 (Wed) to 2025-03-31 (Mon) inclusive has 64 weekdays; New Year's Day is one of them.
    expect(workingMillisBetween(at('2025-01-01T00:00+01:00'), at('2025-04-01T00:00+02:00'), cal)).toBe(63 * 8 * H);
  });

  it('follows the calendar it is given (closed date inside the range)', () => {
    const closed = { ...cal, closedDates: ['2025-03-18'] };
    const a = at('2025-03-17T08:00+01:00');
    const b = at('2025-03-20T08:00+01:00');
    expect(workingMillisBetween(a, b, cal)).toBe(24 * H);
    expect(workingMillisBetween(a, b, closed)).toBe(16 * H);
  });
});

describe('isOpenAt', () => {
  it.each([
    ['2025-03-17T08:00:00.000+01:00', true],
    ['2025-03-17T07:59:59.999+01:00', false],
    ['2025-03-17T15:59:59.999+01:00', true],
    ['2025-03-17T16:00:00.000+01:00', false],
    ['2025-03-15T12:00+01:00', false], // Saturday
    ['2025-04-18T12:00+02:00', false], // Good Friday
    ['2025-03-31T08:30+02:00', true], // 06:30 UTC: would be closed if read as UTC
    ['2025-03-31T16:30+02:00', false], // 14:30 UTC: would be open if read as UTC
  ])('at %s is %s', (iso, open) => {
    expect(isOpenAt(at(iso), cal)).toBe(open);
  });

  it('is closed on a configured closed date', () => {
    expect(isOpenAt(at('2025-12-24T10:00+01:00'), cal)).toBe(true);
    expect(isOpenAt(at('2025-12-24T10:00+01:00'), { ...cal, closedDates: ['2025-12-24'] })).toBe(false);
  });
});

describe('nextOpening', () => {
  it('is the instant itself while open', () => {
    expect(nextOpening(at('2025-03-17T09:13+01:00'), cal)).toEqual(at('2025-03-17T09:13+01:00'));
  });

  it('is Monday 08:00 from Friday closing', () => {
    expect(nextOpening(at('2025-03-14T16:00+01:00'), cal)).toEqual(at('2025-03-17T08:00+01:00'));
  });

  it('is Tuesday after Easter Monday from Wednesday evening before Easter', () => {
    expect(nextOpening(at('2025-04-16T17:00+02:00'), cal)).toEqual(at('2025-04-22T08:00+02:00'));
  });

  it('is Monday 08:00 summer time from the Saturday before the spring DST change', () => {
    expect(nextOpening(at('2025-03-29T12:00+01:00'), cal)).toEqual(at('2025-03-31T08:00+02:00'));
  });
});

describe('validateBusinessCalendar', () => {
  it('accepts the default calendar', () => {
    expect(validateBusinessCalendar(cal)).toEqual([]);
  });

  it('lists each problem', () => {
    const bad: BusinessCalendar = {
      zone: 'Mars/Olympus',
      hours: { ...cal.hours, 1: { start: '8:00', end: '16:00' }, 2: { start: '16:00', end: '08:00' }, 3: { start: '08:00', end: '24:30' } },
      closedDates: ['2025-02-30'],
      publicHolidays: true,
    };
    const problems = validateBusinessCalendar(bad);
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/zone/);
    expect(problems.join('\n')).toMatch(/hours\.1\.start/);
    expect(problems.join('\n')).toMatch(/hours\.2: start 16:00 is not before end 08:00/);
    expect(problems.join('\n')).toMatch(/hours\.3\.end/);
    expect(problems.join('\n')).toMatch(/closedDates\[0\]/);
  });
});

describe('wall-clock conversion', () => {
  it('moves a wall time inside the spring gap forward by the gap', () => {
    const wall = Date.UTC(2025, 2, 30, 2, 30);
    expect(fromWallClockMillis(wall, 'Europe/Oslo')).toEqual(at('2025-03-30T03:30+02:00'));
  });

  it('maps an autumn wall time that occurs twice to its first occurrence', () => {
    const wall = Date.UTC(2025, 9, 26, 2, 30);
    expect(fromWallClockMillis(wall, 'Europe/Oslo')).toEqual(at('2025-10-26T02:30+02:00'));
  });

  it('round-trips ordinary instants', () => {
    const d = at('2025-07-01T12:34:56.789+02:00');
    expect(toWallClockMillis(d, 'Europe/Oslo')).toBe(Date.UTC(2025, 6, 1, 12, 34, 56, 789));
    expect(fromWallClockMillis(toWallClockMillis(d, 'Europe/Oslo'), 'Europe/Oslo')).toEqual(d);
  });
});

describe('dueWithPauses', () => {
  const start = at('2025-03-17T08:00+01:00'); // Monday

  it('equals addWorkingHours when there are no pauses', () => {
    expect(dueWithPauses(start, 8, [], cal, at('2025-03-17T09:00+01:00'))).toEqual({
      dueAt: at('2025-03-17T16:00+01:00'),
      paused: false,
    });
  });

  it('moves the due time by the working time spent in a closed pause', () => {
    const pauses = [{ from: at('2025-03-17T10:00+01:00'), to: at('2025-03-17T12:00+01:00') }];
    expect(dueWithPauses(start, 8, pauses, cal, at('2025-03-18T09:00+01:00'))).toEqual({
      dueAt: at('2025-03-18T10:00+01:00'),
      paused: false,
    });
  });

  it('ignores pauses that fall outside working hours (a weekend in WAITING_FOR_USER costs nothing)', () => {
    const pauses = [{ from: at('2025-03-14T16:30+01:00'), to: at('2025-03-17T07:00+01:00') }];
    expect(dueWithPauses(at('2025-03-14T15:00+01:00'), 8, pauses, cal, at('2025-03-18T09:00+01:00')).dueAt).toEqual(at('2025-03-17T15:00+01:00'));
  });

  it('counts the working time of a pause spanning a night only once', () => {
    // Paused Mon 14:00 – Tue 10:00: 2 h Monday + 2 h Tuesday do not count.
    const pauses = [{ from: at('2025-03-17T14:00+01:00'), to: at('2025-03-18T10:00+01:00') }];
    expect(dueWithPauses(start, 8, pauses, cal, at('2025-03-19T09:00+01:00')).dueAt).toEqual(at('2025-03-18T12:00+01:00'));
  });

  it('merges overlapping pauses instead of subtracting the overlap twice, in any order', () => {
    const pauses = [
      { from: at('2025-03-17T11:00+01:00'), to: at('2025-03-17T13:00+01:00') },
      { from: at('2025-03-17T10:00+01:00'), to: at('2025-03-17T12:00+01:00') },
      { from: at('2025-03-17T10:30+01:00'), to: at('2025-03-17T10:45+01:00') },
    ];
    // Union is 10:00–13:00, 3 h.
    expect(dueWithPauses(start, 8, pauses, cal, at('2025-03-19T09:00+01:00')).dueAt).toEqual(at('2025-03-18T11:00+01:00'));
  });

  it('ignores the part of a pause before the start', () => {
    const pauses = [{ from: at('2025-03-14T09:00+01:00'), to: at('2025-03-17T09:00+01:00') }];
    expect(dueWithPauses(start, 8, pauses, cal, at('2025-03-19T09:00+01:00')).dueAt).toEqual(at('2025-03-18T09:00+01:00'));
  });

  it('is unaffected by a pause that starts after the target was reached', () => {
    const pauses = [{ from: at('2025-03-17T16:30+01:00'), to: null }];
    expect(dueWithPauses(start, 8, pauses, cal, at('2025-03-18T09:00+01:00'))).toEqual({
      dueAt: at('2025-03-17T16:00+01:00'),
      paused: true,
    });
  });

  it('while paused, projects the due time as if the pause ended now', () => {
    // 4 h used Monday 08–12, paused since; now Tue 09:00 → 4 h left → Tue 13:00.
    const clock = new FixedClock(at('2025-03-18T09:00+01:00'));
    const pauses = [{ from: at('2025-03-17T12:00+01:00'), to: null }];
    expect(dueWithPauses(start, 8, pauses, cal, clock.now())).toEqual({ dueAt: at('2025-03-18T13:00+01:00'), paused: true });
    clock.advance(2 * H);
    expect(dueWithPauses(start, 8, pauses, cal, clock.now()).dueAt).toEqual(at('2025-03-18T15:00+01:00'));
    // Now after closing: resuming now means resuming at next opening.
    clock.set(at('2025-03-18T18:00+01:00'));
    expect(dueWithPauses(start, 8, pauses, cal, clock.now()).dueAt).toEqual(at('2025-03-19T12:00+01:00'));
  });

  it('reports paused with no paused time yet when an open pause starts after now (clock skew)', () => {
    const pauses = [{ from: at('2025-03-17T09:00:00.050+01:00'), to: null }];
    expect(dueWithPauses(start, 8, pauses, cal, at('2025-03-17T09:00+01:00'))).toEqual({
      dueAt: at('2025-03-17T16:00+01:00'),
      paused: true,
    });
  });

  it('lands a 0 h target on the first running, open instant', () => {
    const pauses = [{ from: at('2025-03-17T08:00+01:00'), to: at('2025-03-17T10:00+01:00') }];
    expect(dueWithPauses(start, 0, pauses, cal, at('2025-03-17T11:00+01:00')).dueAt).toEqual(at('2025-03-17T10:00+01:00'));
  });

  it('combines pauses with holidays: the working time left after a pause resumes after Easter', () => {
    // Wed 2025-04-16 08:00 start, 8 h; paused 12:00–14:00 → 2 h carried past Easter.
    const pauses = [{ from: at('2025-04-16T12:00+02:00'), to: at('2025-04-16T14:00+02:00') }];
    expect(dueWithPauses(at('2025-04-16T08:00+02:00'), 8, pauses, cal, at('2025-04-23T08:00+02:00')).dueAt).toEqual(at('2025-04-22T10:00+02:00'));
  });

  it('refuses a pause that ends before it starts', () => {
    const pauses = [{ from: at('2025-03-17T12:00+01:00'), to: at('2025-03-17T11:00+01:00') }];
    expect(() => dueWithPauses(start, 8, pauses, cal, at('2025-03-18T09:00+01:00'))).toThrow(RangeError);
  });
});
