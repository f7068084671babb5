import {
  defaultServiceCalendar,
  validateBusinessCalendar,
  type BusinessCalendar,
  type IsoWeekday,
  type OpeningHours,
} from '../domain/business-calendar';
import type pg from 'pg';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { norwegianHolidays } from '../domain/holidays';
import { inTransaction, pgQuery, type Query } from '../db/query';
import { listClosedDays, listServiceHours, replaceCalendar } from '../repositories/calendar-repository';
import { loadStoredCalendar, markRunningStale, type StoredCalendar } from '../repositories/sla-repository';
import type { PutServiceCalendarBody, ServiceCalendarDto, WeekdayHours } from '../schemas/service-level';

const WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/** Opening hours as the API lists them: open weekdays in order. */
export function hoursList(hours: Partial<Record<IsoWeekday, OpeningHours | null>>): WeekdayHours[] {
  return WEEKDAYS.flatMap((weekday) => {
    const h = hours[weekday];
    return h ? [{ weekday, start: h.start, end: h.end }] : [];
  });
}

/** A calendar from listed hours (weekdays not listed are closed), closed dates and the zone. */
export function calendarOf(hours: readonly WeekdayHours[], closedDates: readonly string[], zone: string): BusinessCalendar {
  const byDay = Object.fromEntries(WEEKDAYS.map((d) => [d, null])) as Record<IsoWeekday, OpeningHours | null>;
  for (const h of hours) byDay[h.weekday as IsoWeekday] = { start: h.start, end: h.end };
  return { zone, hours: byDay, closedDates, publicHolidays: true };
}

/**
 * The case-handling calendar stored in the database. An empty hours table (never configured)
 * means the service agreement's default, Mon–Fri 08:00–16:00, rather than a calendar that never
 * opens and would make every due time fail.
 */
export function serviceCalendarOf(stored: StoredCalendar, zone: string): BusinessCalendar {
  const listed = hoursList(stored.hours);
  return calendarOf(listed.length > 0 ? listed : hoursList(defaultServiceCalendar.hours), stored.closedDates, zone);
}

/** Loads the case-handling calendar through any SQL runner (the pool's or a transaction's). */
export async function loadServiceCalendar(q: Query, zone: string): Promise<BusinessCalendar> {
  return serviceCalendarOf(await loadStoredCalendar(q), zone);
}

/** The business calendar as data: admins edit the weekly hours and the extra closed days. */
export class ServiceCalendarService {
  private readonly q: Query;

  /**
   * @param calendarChanged called after an edit has committed, so caches of the calendar (the
   *   SLA of case views) drop it at once on this instance
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly zone: string,
    private readonly calendarChanged: () => void,
  ) {
    this.q = pgQuery(pool);
  }

  async get(): Promise<ServiceCalendarDto> {
    const [hours, closed] = await Promise.all([listServiceHours(this.q), listClosedDays(this.q)]);
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: this.zone, year: 'numeric' }).format(this.clock.now()));
    return {
      zone: this.zone,
      hours: hours.length > 0 ? hours : hoursList(defaultServiceCalendar.hours),
      closedDays: closed,
      publicHolidays: [...norwegianHolidays(year), ...norwegianHolidays(year + 1)],
    };
  }

  /**
   * Replaces the weekly hours and the closed days. Due times of cases whose targets still run
   * are recomputed by the next SLA sweep; measured cases keep the working time they were
   * measured with.
   */
  async put(body: PutServiceCalendarBody, by: string): Promise<{ calendar: ServiceCalendarDto; restale: number }> {
    const problems = calendarProblems(body, this.zone);
    if (problems.length > 0) {
      throw new DomainError('validation-failed', `The calendar is not usable: ${problems[0]!.message}`, { errors: problems });
    }
    const restale = await inTransaction(this.pool, async (q) => {
      await replaceCalendar(q, body.hours, body.closedDays, by, this.clock.now());
      return markRunningStale(q);
    });
    this.calendarChanged();
    return { calendar: await this.get(), restale };
  }
}

function calendarProblems(body: PutServiceCalendarBody, zone: string): Array<{ in: string; path: string; message: string }> {
  const out: Array<{ in: string; path: string; message: string }> = [];
  const seen = new Set<number>();
  body.hours.forEach((h, i) => {
    if (seen.has(h.weekday)) out.push({ in: 'body', path: `/hours/${i}/weekday`, message: `weekday ${h.weekday} listed twice` });
    seen.add(h.weekday);
  });
  // Minutes of opening a week would put the due time of a long target (up to 10 000 working
  // hours) millennia ahead, past the dates the calendar can compute (a 500 on every view).
  const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  body.hours.forEach((h, i) => {
    const open = minutesOf(h.end) - minutesOf(h.start);
    if (open > 0 && open < 60) out.push({ in: 'body', path: `/hours/${i}/end`, message: `weekday ${h.weekday} is open less than an hour` });
  });
  const dates = new Set<string>();
  body.closedDays.forEach((d, i) => {
    if (dates.has(d.date)) out.push({ in: 'body', path: `/closedDays/${i}/date`, message: `${d.date} listed twice` });
    dates.add(d.date);
  });
  if (out.length > 0) return out;
  const cal = calendarOf(
    body.hours,
    body.closedDays.map((d) => d.date),
    zone,
  );
  return validateBusinessCalendar(cal).map((message) => ({ in: 'body', path: '/hours', message }));
}
