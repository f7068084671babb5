import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';
import { ReportService } from '../services/report-service';
import { ServiceCalendarService } from '../services/service-calendar-service';
import { ServiceInfoService } from '../services/service-info-service';
import { SlaService } from '../services/sla-service';

interface ServiceLevelServices {
  sla: SlaService;
  calendar: ServiceCalendarService;
  reports: ReportService;
  info: ServiceInfoService;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Service levels, the business calendar, reports and service information (docs/service-levels.md). */
    serviceLevels: ServiceLevelServices;
  }
}

/**
 * Wires the service-level use cases, and runs the SLA sweep every SLA_INTERVAL_MS (0: off): it
 * recomputes stale due times and records breaches. The first sweep runs as soon as the app is
 * ready, so breaches that fell due while the service was down are recorded at once. Close
 * stops a sweep under way after its current batch and waits for that before the database closes.
 */
async function serviceLevelsPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const { config } = opts;
  const { clock, slaViews } = app.services;
  const sla = new SlaService(app.pool, clock, config.TIMEZONE, config.SLA_BATCH_SIZE);
  app.decorate('serviceLevels', {
    sla,
    calendar: new ServiceCalendarService(app.pool, clock, config.TIMEZONE, () => slaViews.invalidateCalendar()),
    reports: new ReportService(app.pool, { maxDays: config.REPORT_MAX_DAYS, statementTimeoutMs: config.DB_REPORT_STATEMENT_TIMEOUT_MS }),
    info: new ServiceInfoService(app.pool, clock, config.TIMEZONE),
  });

  backgroundLoop(app, {
    name: 'SLA sweep',
    intervalMs: config.SLA_INTERVAL_MS,
    closeTimeoutMs: loopCloseTimeoutMs(config),
    run: (signal) => sla.sweep(clock.now(), signal),
    onResult: (r) => {
      if (r.breaches > 0) app.log.info({ breaches: r.breaches, refreshed: r.refreshed }, 'SLA breaches recorded');
    },
  });
}

export default fp(serviceLevelsPlugin, { name: 'service-levels', dependencies: ['db', 'services'], fastify: '5.x' });
