import type pg from 'pg';
import { isOpenAt, nextOpening, validateBusinessCalendar, type BusinessCalendar } from '../domain/business-calendar';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { pgQuery, type Query } from '../db/query';
import { deleteChannel, listChannels, upsertChannel, type ChannelRow } from '../repositories/contact-channel-repository';
import { loadStoredCalendar } from '../repositories/sla-repository';
import type { ContactChannelDto, PutContactChannelBody, ServiceInfoDto, WeekdayHours } from '../schemas/service-level';
import { calendarOf, hoursList, serviceCalendarOf } from './service-calendar-service';

function openness(cal: BusinessCalendar | null, now: Date): { openNow: boolean; nextOpenAt: string | null } {
  if (cal === null) return { openNow: true, nextOpenAt: null };
  const openNow = isOpenAt(now, cal);
  return { openNow, nextOpenAt: openNow ? null : nextOpening(now, cal).toISOString() };
}

/**
 * Service information: how to reach the service centre and whether each channel is open now.
 * A channel's own hours close on Norwegian public holidays and on the service centre's extra
 * closed days; a channel without hours (portal, e-mail, post) always takes enquiries.
 */
export class ServiceInfoService {
  private readonly q: Query;

  constructor(
    pool: pg.Pool,
    private readonly clock: Clock,
    private readonly zone: string,
  ) {
    this.q = pgQuery(pool);
  }

  async info(): Promise<ServiceInfoDto> {
    const now = this.clock.now();
    const [stored, channels] = await Promise.all([loadStoredCalendar(this.q), listChannels(this.q)]);
    const service = serviceCalendarOf(stored, this.zone);
    return {
      at: now.toISOString(),
      channels: channels.map((c) => this.toDto(c, stored.closedDates, now)),
      caseHandling: { zone: this.zone, hours: hoursList(service.hours), ...openness(service, now) },
    };
  }

  /** Creates or replaces a channel. Answers whether it was created. */
  async putChannel(key: string, body: PutContactChannelBody): Promise<{ created: boolean; channel: ContactChannelDto }> {
    const hours = body.hours ?? null;
    if (hours !== null) {
      const problems = validateBusinessCalendar(calendarOf(hours, [], this.zone));
      const seen = new Set<number>();
      for (const h of hours) {
        if (seen.has(h.weekday)) problems.push(`weekday ${h.weekday} listed twice`);
        seen.add(h.weekday);
      }
      if (problems.length > 0) {
        throw new DomainError('validation-failed', `hours are not usable: ${problems[0]}`, {
          errors: problems.map((message) => ({ in: 'body', path: '/hours', message })),
        });
      }
    }
    const { created, row } = await upsertChannel(this.q, {
      key,
      kind: body.kind,
      nameNb: body.name.nb,
      nameEn: body.name.en,
      address: body.address,
      descriptionNb: body.description?.nb ?? null,
      descriptionEn: body.description?.en ?? null,
      hours: hours,
      sortOrder: body.sortOrder ?? 0,
      updatedAt: this.clock.now(),
    });
    const { closedDates } = await loadStoredCalendar(this.q);
    return { created, channel: this.toDto(row, closedDates, this.clock.now()) };
  }

  async deleteChannel(key: string): Promise<void> {
    if (!(await deleteChannel(this.q, key))) throw new DomainError('not-found', `No contact channel '${key}'.`);
  }

  private toDto(c: ChannelRow, closedDates: readonly string[], now: Date): ContactChannelDto {
    const hours = (c.hours ?? null) as WeekdayHours[] | null;
    const cal = hours === null ? null : calendarOf(hours, closedDates, this.zone);
    return {
      key: c.key,
      kind: c.kind as ContactChannelDto['kind'],
      name: { nb: c.nameNb, en: c.nameEn },
      address: c.address,
      description: c.descriptionNb !== null && c.descriptionEn !== null ? { nb: c.descriptionNb, en: c.descriptionEn } : null,
      hours,
      sortOrder: c.sortOrder,
      ...openness(cal, now),
    };
  }
}
