import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CSV_CONTENT_TYPE, prefersCsv } from '../../http/csv';
import { slaReportCsv, timeInStatusCsv } from '../../services/report-csv';
import { AsOfBodySchema, emptyBodyMeansNow, resolveAsOf } from '../../http/as-of';
import { requirePrincipal } from '../../plugins/auth';
import { problems, ok } from '../../schemas/common';
import {
  PutServiceCalendarSchema,
  ReportQuerySchema,
  ServiceCalendarSchema,
  SlaReportSchema,
  SlaRunSchema,
  TimeInStatusReportSchema,
} from '../../schemas/service-level';

/** A report's 200: JSON, or the same rows as CSV when Accept prefers text/csv (docs/csv.md). */
function jsonOrCsv<S extends object>(schema: S, description: string) {
  return {
    description,
    content: {
      'application/json': { schema },
      'text/csv': { schema: Type.String({ description: 'CSV with a header row, one row per group (and status); docs/csv.md' }) },
    },
  };
}

/** The business calendar, service-level reports and the SLA sweep on demand. */
const serviceLevelRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { calendar, reports, sla } = app.serviceLevels;

  app.get(
    '/service-calendar',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getServiceCalendar',
        tags: ['service-levels'],
        summary: 'Case-handling hours, extra closed days and the public holidays service-level targets skip',
        response: { 200: ok(ServiceCalendarSchema, 'The service calendar') },
      },
    },
    async () => calendar.get(),
  );

  app.put(
    '/service-calendar',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'putServiceCalendar',
        tags: ['service-levels'],
        summary: 'Replace the case-handling hours and closed days (admins)',
        description: 'Due times of cases whose targets still run are recomputed by the next SLA sweep.',
        body: PutServiceCalendarSchema,
        response: { 200: ok(ServiceCalendarSchema, 'The service calendar as replaced'), ...problems(400, 415) },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { calendar: out, restale } = await calendar.put(request.body, p.id);
      request.log.info({ actor: p.id, restale }, 'service calendar replaced');
      return out;
    },
  );

  app.get(
    '/reports/sla',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getSlaReport',
        tags: ['service-levels'],
        summary: 'Service-level report per category or team: met, breached, median and p90 in working hours',
        description:
          'Covers cases filed in [from, to). Admins see every team, operators the cases of their own teams. ' +
          'As fresh as the last SLA sweep (SLA_INTERVAL_MS).',
        querystring: ReportQuerySchema,
        response: { 200: jsonOrCsv(SlaReportSchema, 'The report (JSON, or CSV with Accept: text/csv)'), ...problems(400, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const report = await app.expensiveRequests.run(p.id, () => reports.sla(p, request.query));
      return prefersCsv(request.headers.accept) ? reply.header('content-type', CSV_CONTENT_TYPE).send(slaReportCsv(report)) : report;
    },
  );

  app.get(
    '/reports/time-in-status',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getTimeInStatusReport',
        tags: ['service-levels'],
        summary: 'Median and p90 elapsed hours cases spend in each status, per category or team',
        description: 'Covers cases filed in [from, to). Admins see every team, operators the cases of their own teams.',
        querystring: ReportQuerySchema,
        response: { 200: jsonOrCsv(TimeInStatusReportSchema, 'The report (JSON, or CSV with Accept: text/csv)'), ...problems(400, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const report = await app.expensiveRequests.run(p.id, () => reports.timeInStatus(p, request.query));
      return prefersCsv(request.headers.accept) ? reply.header('content-type', CSV_CONTENT_TYPE).send(timeInStatusCsv(report)) : report;
    },
  );

  app.post(
    '/admin/sla/run',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'runSla',
        tags: ['admin'],
        summary: 'Run the SLA sweep now: recompute stale due times, record breaches (admins)',
        description: 'Outside production, asOf runs it as if at that instant.',
        body: AsOfBodySchema,
        response: { 200: ok(SlaRunSchema, 'What the sweep refreshed and recorded'), ...problems(400) },
      },
      preValidation: emptyBodyMeansNow,
    },
    async (request) => {
      const asOf = resolveAsOf(request.body.asOf, app.config, app.services.clock);
      const r = await sla.sweep(asOf);
      return { ...r, asOf: asOf.toISOString() };
    },
  );
};

export default serviceLevelRoutes;
