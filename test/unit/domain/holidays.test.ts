import { easterSunday, isNorwegianHoliday, isNorwegianHolidayDay, norwegianHolidays } from '../../../src/domain/holidays';

type Expected = Array<[string, string]>; // [date, English name]

// Written out by hand from the published Easter dates, not derived from the code under test.
const EXPECTED: Record<number, Expected> = {
  2024: [
    ['2024-01-01', "New Year's Day"],
    ['2024-03-28', 'Maundy Thursday'],
    ['2024-03-29', 'Good Friday'],
    ['2024-03-31', 'Easter Sunday'],
    ['2024-04-01', 'Easter Monday'],
    ['2024-05-01', 'Labour Day'],
    ['2024-05-09', 'Ascension Day'],
    ['2024-05-17', 'Constitution Day'],
    ['2024-05-19', 'Whit Sunday'],
    ['2024-05-20', 'Whit Monday'],
    ['2024-12-25', 'Christmas Day'],
    ['2024-12-26', 'Boxing Day'],
  ],
  2025: [
    ['2025-01-01', "New Year's Day"],
    ['2025-04-17', 'Maundy Thursday'],
    ['2025-04-18', 'Good Friday'],
    ['2025-04-20', 'Easter Sunday'],
    ['2025-04-21', 'Easter Monday'],
    ['2025-05-01', 'Labour Day'],
    ['2025-05-17', 'Constitution Day'],
    ['2025-05-29', 'Ascension Day'],
    ['2025-06-08', 'Whit Sunday'],
    ['2025-06-09', 'Whit Monday'],
    ['2025-12-25', 'Christmas Day'],
    ['2025-12-26', 'Boxing Day'],
  ],
  2026: [
    ['2026-01-01', "New Year's Day"],
    ['2026-04-02', 'Maundy Thursday'],
    ['2026-04-03', 'Good Friday'],
    ['2026-04-05', 'Easter Sunday'],
    ['2026-04-06', 'Easter Monday'],
    ['2026-05-01', 'Labour Day'],
    ['2026-05-14', 'Ascension Day'],
    ['2026-05-17', 'Constitution Day'],
    ['2026-05-24', 'Whit Sunday'],
    ['2026-05-25', 'Whit Monday'],
    ['2026-12-25', 'Christmas Day'],
    ['2026-12-26', 'Boxing Day'],
  ],
  2027: [
    ['2027-01-01', "New Year's Day"],
    ['2027-03-25', 'Maundy Thursday'],
    ['2027-03-26', 'Good Friday'],
    ['2027-03-28', 'Easter Sunday'],
    ['2027-03-29', 'Easter Monday'],
    ['2027-05-01', 'Labour Day'],
    ['2027-05-06', 'Ascension Day'],
    ['2027-05-16', 'Whit Sunday'],
    ['2027-05-17', 'Constitution Day'],
    ['2027-05-17', 'Whit Monday'],
    ['2027-12-25', 'Christmas Day'],
    ['2027-12-26', 'Boxing Day'],
  ],
};

describe('easterSunday', () => {
  it.each([
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    // The extremes of the Gregorian computus: earliest (22 March) and latest (25 April).
    [2285, '2285-03-22'],
    [2038, '2038-04-25'],
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2000, '2000-04-23'],
  ])('puts Easter %i on %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });

  it.each([1582, 10000, 2024.5, Number.NaN])('refuses the year %p', (year) => {
    expect(() => easterSunday(year)).toThrow(RangeError);
  });
});

describe('norwegianHolidays', () => {
  it.each([2024, 2025, 2026, 2027])('lists exactly the twelve holidays of %i, sorted by date', (year) => {
    const actual = norwegianHolidays(year).map((h): [string, string] => [h.date, h.name.en]);
    // 17 May and Whit Monday share 2027-05-17; compare as sorted pairs so their order is not pinned.
    expect([...actual].sort()).toEqual([...(EXPECTED[year] ?? [])].sort());
    const dates = actual.map(([d]) => d);
    expect(dates).toEqual([...dates].sort());
    expect(actual).toHaveLength(12);
  });

  it('gives Norwegian names too', () => {
    const names = new Map(norwegianHolidays(2025).map((h) => [h.date, h.name.nb]));
    expect(names.get('2025-04-17')).toBe('Skjærtorsdag');
    expect(names.get('2025-04-18')).toBe('Langfredag');
    expect(names.get('2025-05-29')).toBe('Kristi himmelfartsdag');
    expect(names.get('2025-06-09')).toBe('2. pinsedag');
    expect(names.get('2025-12-26')).toBe('2. juledag');
  });

  it('keeps both 17 May and Whit Monday when they coincide (2027)', () => {
    const on17 = norwegianHolidays(2027).filter((h) => h.date === '2027-05-17');
    expect(on17.map((h) => h.name.en).sort()).toEqual(['Constitution Day', 'Whit Monday']);
  });

  it('returns a copy the caller can mutate without corrupting later answers', () => {
    const first = norwegianHolidays(2026);
    first.splice(0, first.length);
    const again = norwegianHolidays(2026);
    expect(again).toHaveLength(12);
    again[0]!.name.en = 'changed';
    expect(norwegianHolidays(2026)[0]!.name.en).toBe("New Year's Day");
  });
});

describe('isNorwegianHoliday', () => {
  it.each(Object.values(EXPECTED).flat())('says %s (%s) is a holiday', (date) => {
    expect(isNorwegianHoliday(date)).toBe(true);
  });

  it.each([
    '2025-04-19', // Easter Saturday is not a public holiday
    '2025-04-22', // Tuesday after Easter Monday
    '2025-12-24', // Christmas Eve: closed by many employers, but not a public holiday
    '2025-12-31',
    '2024-05-30', // the Thursday Ascension fell on in 2025, not in 2024
    '2026-05-18',
  ])('says %s is not a holiday', (date) => {
    expect(isNorwegianHoliday(date)).toBe(false);
  });

  it.each(['2025-02-30', '2025-1-01', '20250101', '', '1500-01-01'])('refuses %p', (date) => {
    expect(() => isNorwegianHoliday(date)).toThrow(RangeError);
  });
});

describe('isNorwegianHolidayDay', () => {
  const DAY = 86_400_000;
  const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;

  it('agrees with isNorwegianHoliday on every day from 1990 to 2060', () => {
    const disagreements: string[] = [];
    for (let day = dayOf('1990-01-01'); day <= dayOf('2060-12-31'); day++) {
      const date = new Date(day * DAY).toISOString().slice(0, 10);
      if (isNorwegianHolidayDay(day) !== isNorwegianHoliday(date)) disagreements.push(date);
    }
    expect(disagreements).toEqual([]);
  });

  it('agrees at the ends of the supported years and on days before 1970', () => {
    for (const date of ['1583-01-01', '1583-01-02', '1583-04-10', '1969-12-25', '1969-12-24', '9999-12-25', '9999-12-31']) {
      expect(isNorwegianHolidayDay(dayOf(date))).toBe(isNorwegianHoliday(date));
    }
  });

  it('refuses days outside 1583..9999 and non-integers', () => {
    for (const day of [dayOf('1582-12-31'), dayOf('9999-12-31') + 1, 1.5, Number.NaN, 1e9]) {
      expect(() => isNorwegianHolidayDay(day)).toThrow(RangeError);
    }
  });
});
