import { Type, type Static } from 'typebox';
// CaseSchema (./case) embeds CaseSlaSchema: this file must not import ./case.
import { SLA_KINDS } from '../domain/sla';
import { STATUSES } from '../domain/statuses';
import { DateSchema, DateTimeSchema } from './common';

const HHMM = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', maxLength: 5, description: 'local wall-clock HH:MM' });

const SlaKindSchema = Type.Enum(SLA_KINDS);

/** The service level of one case, as the case shows it. */
export const CaseSlaSchema = Type.Object(
  {
    firstResponseDueAt: DateTimeSchema,
    firstRespondedAt: Type.Union([DateTimeSchema, Type.Null()], {
      description: 'When the first-response clock stopped (first public operator reply, or resolution)',
    }),
    resolutionDueAt: DateTimeSchema,
    resolvedAt: Type.Union([DateTimeSchema, Type.Null()], { description: 'First COMPLETED (or CLOSED before completion)' }),
    paused: Type.Boolean({ description: 'The clock stands still (WAITING_FOR_USER, ON_HOLD); due times are then as if it resumed now' }),
    breached: Type.Array(SlaKindSchema),
  },
  { title: 'CaseSla', description: 'Service level: due times in working hours of the service calendar, pauses given back' },
);
export type CaseSlaDto = Static<typeof CaseSlaSchema>;

const WeekdayHoursSchema = Type.Object(
  {
    weekday: Type.Integer({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 = Monday … 7 = Sunday' }),
    start: HHMM,
    end: HHMM,
  },
  { additionalProperties: false },
);
export type WeekdayHours = Static<typeof WeekdayHoursSchema>;

const ClosedDaySchema = Type.Object({ date: DateSchema, reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });

export const ServiceCalendarSchema = Type.Object(
  {
    zone: Type.String({ description: 'IANA time zone of the hours and dates' }),
    hours: Type.Array(WeekdayHoursSchema, { description: 'Open weekdays; a weekday not listed is closed' }),
    closedDays: Type.Array(ClosedDaySchema, { description: 'Extra closed days besides public holidays' }),
    publicHolidays: Type.Array(Type.Object({ date: DateSchema, name: Type.Object({ nb: Type.String(), en: Type.String() }) }), {
      description: 'Norwegian public holidays of this year and the next (computed, always closed)',
    }),
  },
  { title: 'ServiceCalendar' },
);
export type ServiceCalendarDto = Static<typeof ServiceCalendarSchema>;

export const PutServiceCalendarSchema = Type.Object(
  {
    hours: Type.Array(WeekdayHoursSchema, { minItems: 1, maxItems: 7 }),
    closedDays: Type.Array(ClosedDaySchema, { maxItems: 1000 }),
  },
  { title: 'PutServiceCalendarRequest', additionalProperties: false },
);
export type PutServiceCalendarBody = Static<typeof PutServiceCalendarSchema>;

const GroupBySchema = Type.Enum(['category', 'team'], { default: 'category' });

export const ReportQuerySchema = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Cases filed at or after this instant' }),
    to: Type.String({ format: 'date-time', description: 'Cases filed before this instant' }),
    groupBy: Type.Optional(GroupBySchema),
  },
  { additionalProperties: false },
);
export type ReportQuery = Static<typeof ReportQuerySchema>;

const Hours = Type.Union([Type.Number(), Type.Null()], { description: 'null when nothing was measured' });

const TargetStatsSchema = Type.Object({
  met: Type.Integer({ description: 'Stopped in time' }),
  breached: Type.Integer({ description: 'A breach is recorded' }),
  medianHours: Hours,
  p90Hours: Hours,
});

export const SlaReportSchema = Type.Object(
  {
    from: DateTimeSchema,
    to: DateTimeSchema,
    groupBy: GroupBySchema,
    groups: Type.Array(
      Type.Object({
        key: Type.String({ description: 'Category or team key' }),
        cases: Type.Integer(),
        met: Type.Integer({ description: 'Resolved with both targets met' }),
        breached: Type.Integer({ description: 'At least one breach recorded' }),
        open: Type.Integer({ description: 'Neither yet: not resolved and not breached' }),
        firstResponse: TargetStatsSchema,
        resolution: TargetStatsSchema,
        resolvedAs: Type.Object(
          {
            solved: Type.Integer({ description: 'Completed cases whose matter was put right' }),
            answered: Type.Integer({ description: 'Completed cases whose question was answered (a wait that ran out counts here)' }),
          },
          { description: 'How the completed cases of the group ended (their current resolution; cases reopened since count in neither)' },
        ),
      }),
    ),
  },
  { title: 'SlaReport' },
);
export type SlaReportDto = Static<typeof SlaReportSchema>;

export const TimeInStatusReportSchema = Type.Object(
  {
    from: DateTimeSchema,
    to: DateTimeSchema,
    groupBy: GroupBySchema,
    groups: Type.Array(
      Type.Object({
        key: Type.String(),
        statuses: Type.Array(
          Type.Object({
            status: Type.Enum(STATUSES),
            stints: Type.Integer({ description: 'Times a case entered the status and later left it' }),
            current: Type.Integer({ description: 'Cases in the status now (not measured)' }),
            medianHours: Type.Union([Type.Number(), Type.Null()], { description: 'elapsed (calendar) hours; null when nothing was measured' }),
            p90Hours: Type.Union([Type.Number(), Type.Null()], { description: 'elapsed (calendar) hours' }),
            medianWorkingHours: Type.Union([Type.Number(), Type.Null()], { description: 'working hours of the service calendar' }),
            p90WorkingHours: Type.Union([Type.Number(), Type.Null()], { description: 'working hours of the service calendar' }),
          }),
        ),
      }),
    ),
  },
  { title: 'TimeInStatusReport' },
);
export type TimeInStatusReportDto = Static<typeof TimeInStatusReportSchema>;

export const SlaRunSchema = Type.Object(
  {
    refreshed: Type.Integer({ description: 'Cases whose due times were recomputed' }),
    breaches: Type.Integer({ description: 'Breaches recorded by this run' }),
    asOf: DateTimeSchema,
  },
  { title: 'SlaRunResult' },
);

const ChannelKindSchema = Type.Enum(['portal', 'phone', 'email', 'post']);
const Labels = Type.Object(
  { nb: Type.String({ minLength: 1, maxLength: 2000 }), en: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const ContactChannelSchema = Type.Object(
  {
    key: Type.String(),
    kind: ChannelKindSchema,
    name: Labels,
    address: Type.String({ description: 'Phone number, e-mail address, URL or postal route' }),
    description: Type.Union([Labels, Type.Null()]),
    hours: Type.Union([Type.Array(WeekdayHoursSchema), Type.Null()], {
      description: 'Opening hours; null: always available (answered in case-handling hours)',
    }),
    sortOrder: Type.Integer(),
    openNow: Type.Boolean({ description: 'Open at this moment (its hours, public holidays and closed days)' }),
    nextOpenAt: Type.Union([DateTimeSchema, Type.Null()], { description: 'When it opens next, if closed now' }),
  },
  { title: 'ContactChannel' },
);
export type ContactChannelDto = Static<typeof ContactChannelSchema>;

export const PutContactChannelSchema = Type.Object(
  {
    kind: ChannelKindSchema,
    name: Labels,
    address: Type.String({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(Type.Union([Labels, Type.Null()])),
    hours: Type.Optional(Type.Union([Type.Array(WeekdayHoursSchema, { minItems: 1, maxItems: 7 }), Type.Null()])),
    sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { title: 'PutContactChannelRequest', additionalProperties: false },
);
export type PutContactChannelBody = Static<typeof PutContactChannelSchema>;

export const ServiceInfoSchema = Type.Object(
  {
    at: DateTimeSchema,
    channels: Type.Array(ContactChannelSchema),
    caseHandling: Type.Object(
      {
        zone: Type.String(),
        hours: Type.Array(WeekdayHoursSchema),
        openNow: Type.Boolean(),
        nextOpenAt: Type.Union([DateTimeSchema, Type.Null()]),
      },
      { description: 'The hours service-level targets count in' },
    ),
  },
  { title: 'ServiceInfo' },
);
export type ServiceInfoDto = Static<typeof ServiceInfoSchema>;
