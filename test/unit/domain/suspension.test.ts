import {
  addCalendarDays,
  suspensionAwareDueAt,
  type SuspensionWindow,
  validateSuspensionWindow,
  windowCovering,
} from '../../../src/domain/suspension';

// Expected instants carry explicit Oslo offsets (+01:00 winter, +02:00 summer).
const at = (iso: string): Date => new Date(iso);
const summer2024: SuspensionWindow = { id: 'summer-2024', from: '2024-06-01', to: '2024-08-31', reason: 'Summer 2024' };
const christmas: SuspensionWindow = { id: 'xmas', from: '2024-12-20', to: '2025-01-02', reason: 'Christmas' };

describe('suspensionAwareDueAt', () => {
  it('is due 2024-09-04 12:00 for a case entering 2024-05-25 12:00 with 10 days and the summer window (102 calendar days)', () => {
    const due = suspensionAwareDueAt(at('2024-05-25T12:00+02:00'), 10, [summer2024]);
    expect(due).toEqual(at('2024-09-04T12:00+02:00'));
    expect(due).toEqual(addCalendarDays(at('2024-05-25T12:00+02:00'), 92 + 10));
  });

  it.each([
    '2024-05-22T00:00:01+02:00',
    '2024-05-22T09:30+02:00',
    '2024-05-26T23:59+02:00',
    '2024-05-28T14:15+02:00',
    '2024-05-31T09:30+02:00',
    '2024-05-31T23:59:59.999+02:00',
  ])('completes window length + 10 days after entering at %s, when the window overlaps the 10 days', (iso) => {
    const t = at(iso);
    expect(suspensionAwareDueAt(t, 10, [summer2024])).toEqual(addCalendarDays(t, 92 + 10));
  });

  it('is due exactly as the window begins when the 10 days run out at its first 00:00', () => {
    expect(suspensionAwareDueAt(at('2024-05-22T00:00+02:00'), 10, [summer2024])).toEqual(at('2024-06-01T00:00+02:00'));
  });

  it('is unaffected by a window that starts after the case is due', () => {
    expect(suspensionAwareDueAt(at('2024-05-10T12:00+02:00'), 10, [summer2024])).toEqual(at('2024-05-20T12:00+02:00'));
  });

  it('is unaffected by a window that ended before the case entered', () => {
    expect(suspensionAwareDueAt(at('2024-09-10T08:15+02:00'), 10, [summer2024])).toEqual(at('2024-09-20T08:15+02:00'));
  });

  it('counts from 00:00 after the window for a case that entered inside it', () => {
    expect(suspensionAwareDueAt(at('2024-07-15T10:00+02:00'), 10, [summer2024])).toEqual(at('2024-09-11T00:00+02:00'));
    expect(suspensionAwareDueAt(at('2024-06-01T00:00+02:00'), 10, [summer2024])).toEqual(at('2024-09-11T00:00+02:00'));
    expect(suspensionAwareDueAt(at('2024-08-31T23:59:59.999+02:00'), 10, [summer2024])).toEqual(at('2024-09-11T00:00+02:00'));
  });

  it('counts from the entry instant for a case entering at 00:00 the day after the window', () => {
    expect(suspensionAwareDueAt(at('2024-09-01T00:00+02:00'), 10, [summer2024])).toEqual(at('2024-09-11T00:00+02:00'));
  });

  it('uses Oslo dates, not UTC dates, for the window edges', () => {
    // 2024-05-31 23:30 UTC is already 1 June in Oslo: inside the window.
    expect(suspensionAwareDueAt(at('2024-05-31T23:30:00Z'), 10, [summer2024])).toEqual(at('2024-09-11T00:00+02:00'));
  });

  it('with no windows is enteredAt + days keeping the wall-clock time across spring DST', () => {
    expect(suspensionAwareDueAt(at('2024-03-25T12:00+01:00'), 10, [])).toEqual(at('2024-04-04T12:00+02:00'));
  });

  it('with no windows is enteredAt + days keeping the wall-clock time across autumn DST', () => {
    const t = at('2024-10-20T12:00+02:00');
    const due = suspensionAwareDueAt(t, 10, []);
    expect(due).toEqual(at('2024-10-30T12:00+01:00'));
    expect(due.getTime() - t.getTime()).toBe((10 * 24 + 1) * 3_600_000);
  });

  it('skips several windows in one count (Christmas window after the summer one)', () => {
    // 4 d 16 h before 20 Dec, then 5 d 8 h from 3 Jan 00:00.
    expect(suspensionAwareDueAt(at('2024-12-15T08:00+01:00'), 10, [summer2024, christmas])).toEqual(at('2025-01-08T08:00+01:00'));
  });

  it('adds the length of each window that falls inside the count', () => {
    const windows: SuspensionWindow[] = [
      { from: '2024-06-03', to: '2024-06-04', reason: 'a' },
      { from: '2024-06-07', to: '2024-06-07', reason: 'b' },
    ];
    expect(suspensionAwareDueAt(at('2024-06-01T12:00+02:00'), 10, windows)).toEqual(at('2024-06-14T12:00+02:00'));
  });

  it('treats overlapping windows as their union, whatever their order', () => {
    const overlapping: SuspensionWindow[] = [
      { from: '2024-07-01', to: '2024-08-31', reason: 'late summer' },
      { from: '2024-06-01', to: '2024-07-15', reason: 'early summer' },
      { from: '2024-06-10', to: '2024-06-12', reason: 'inside' },
    ];
    expect(suspensionAwareDueAt(at('2024-05-25T12:00+02:00'), 10, overlapping)).toEqual(at('2024-09-04T12:00+02:00'));
  });

  it('treats adjacent windows as one', () => {
    const adjacent: SuspensionWindow[] = [
      { from: '2024-06-01', to: '2024-06-30', reason: 'June' },
      { from: '2024-07-01', to: '2024-08-31', reason: 'July–August' },
    ];
    expect(suspensionAwareDueAt(at('2024-05-25T12:00+02:00'), 10, adjacent)).toEqual(at('2024-09-04T12:00+02:00'));
  });

  it('counts calendar days across a window that contains the autumn DST change', () => {
    const w: SuspensionWindow = { from: '2024-10-26', to: '2024-10-28', reason: 'seminar' };
    expect(suspensionAwareDueAt(at('2024-10-20T12:00+02:00'), 10, [w])).toEqual(at('2024-11-02T12:00+01:00'));
  });

  it('resumes at local midnight after a window that ends just before the spring DST change', () => {
    const w: SuspensionWindow = { from: '2024-03-20', to: '2024-03-30', reason: 'Easter' };
    expect(suspensionAwareDueAt(at('2024-03-25T12:00+01:00'), 10, [w])).toEqual(at('2024-04-10T00:00+02:00'));
  });

  it('follows the zone it is given', () => {
    // In UTC, 2024-05-31 23:30Z is still 31 May, so half an hour counts before the window.
    expect(suspensionAwareDueAt(at('2024-05-31T23:30:00Z'), 10, [summer2024], 'UTC')).toEqual(at('2024-09-10T23:30:00Z'));
  });

  it('supports 0 days (due on entry, or when the window ends)', () => {
    expect(suspensionAwareDueAt(at('2024-05-25T12:00+02:00'), 0, [summer2024])).toEqual(at('2024-05-25T12:00+02:00'));
    expect(suspensionAwareDueAt(at('2024-07-25T12:00+02:00'), 0, [summer2024])).toEqual(at('2024-09-01T00:00+02:00'));
  });

  it('refuses negative days and invalid windows', () => {
    expect(() => suspensionAwareDueAt(at('2024-05-25T12:00+02:00'), -1, [])).toThrow(RangeError);
    expect(() => suspensionAwareDueAt(at('2024-05-25T12:00+02:00'), 10, [{ from: '2024-08-31', to: '2024-06-01', reason: 'x' }])).toThrow(/before/);
    expect(() => suspensionAwareDueAt(at('2024-05-25T12:00+02:00'), 10, [{ from: '2024-06-31', to: '2024-07-01', reason: 'x' }])).toThrow(RangeError);
  });
});

describe('windowCovering', () => {
  it.each([
    ['2024-06-01T00:00+02:00', 'summer-2024'],
    ['2024-05-31T23:30:00Z', 'summer-2024'], // 1 June 01:30 in Oslo
    ['2024-08-31T23:59:59.999+02:00', 'summer-2024'],
    ['2024-07-10T12:00+02:00', 'summer-2024'],
    ['2024-05-31T23:59:59.999+02:00', null],
    ['2024-08-31T22:30:00Z', null], // 1 September 00:30 in Oslo
    ['2024-12-31T12:00+01:00', 'xmas'],
  ])('at %s is %s', (iso, id) => {
    expect(windowCovering(at(iso), [summer2024, christmas])?.id ?? null).toBe(id);
  });

  it('reads the date in the zone it is given', () => {
    expect(windowCovering(at('2024-05-31T23:30:00Z'), [summer2024], 'UTC')).toBeNull();
  });

  it('returns the covering window that ends last when several cover the date', () => {
    const a: SuspensionWindow = { id: 'a', from: '2024-06-01', to: '2024-06-30', reason: 'a' };
    const b: SuspensionWindow = { id: 'b', from: '2024-06-15', to: '2024-07-31', reason: 'b' };
    expect(windowCovering(at('2024-06-20T12:00+02:00'), [a, b])?.id).toBe('b');
    expect(windowCovering(at('2024-06-20T12:00+02:00'), [b, a])?.id).toBe('b');
    expect(windowCovering(at('2024-06-10T12:00+02:00'), [b, a])?.id).toBe('a');
  });

  it('is null with no windows', () => {
    expect(windowCovering(at('2024-07-10T12:00+02:00'), [])).toBeNull();
  });
});

describe('validateSuspensionWindow', () => {
  it('accepts a one-day window and lists problems of bad ones', () => {
    expect(validateSuspensionWindow({ from: '2024-06-01', to: '2024-06-01', reason: 'x' })).toEqual([]);
    expect(validateSuspensionWindow({ from: '2024-6-1', to: '2024-02-30', reason: 'x' })).toHaveLength(2);
    expect(validateSuspensionWindow({ from: '2024-06-02', to: '2024-06-01', reason: 'x' })).toEqual(['to (2024-06-01) is before from (2024-06-02)']);
  });
});

describe('addCalendarDays', () => {
  it('keeps 12:00 across the spring DST change (23 real hours for one day)', () => {
    const t = at('2024-03-30T12:00+01:00');
    const r = addCalendarDays(t, 1);
    expect(r).toEqual(at('2024-03-31T12:00+02:00'));
    expect(r.getTime() - t.getTime()).toBe(23 * 3_600_000);
  });

  it('moves back with negative days', () => {
    expect(addCalendarDays(at('2024-04-04T12:00+02:00'), -10)).toEqual(at('2024-03-25T12:00+01:00'));
  });

  it('moves the wall clock by a share of a day for fractional days', () => {
    expect(addCalendarDays(at('2024-03-30T18:00+01:00'), 0.5)).toEqual(at('2024-03-31T06:00+02:00'));
  });

  it('lands on the reading after the gap when the wall time does not exist', () => {
    expect(addCalendarDays(at('2024-03-30T02:30+01:00'), 1)).toEqual(at('2024-03-31T03:30+02:00'));
  });

  it('lands on the first occurrence when the wall time occurs twice', () => {
    expect(addCalendarDays(at('2024-10-26T02:30+02:00'), 1)).toEqual(at('2024-10-27T02:30+02:00'));
  });

  it('does not move an instant in the repeated autumn hour by 0 days', () => {
    expect(addCalendarDays(at('2024-10-27T02:30+01:00'), 0)).toEqual(at('2024-10-27T02:30+01:00'));
    expect(suspensionAwareDueAt(at('2024-10-27T02:30+01:00'), 0, [])).toEqual(at('2024-10-27T02:30+01:00'));
  });
});
