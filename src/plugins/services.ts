import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import { CaseExportService } from '../services/case-export';
import { CaseService } from '../services/case-service';
import { CategoryFactsCopy } from '../services/category-facts';
import { FormValidator } from '../services/forms';
import { HealthService } from '../services/health-service';
import { NoticeService } from '../services/notice-service';
import { PeopleService } from '../services/people-service';
import { ReferenceService } from '../services/reference-service';
import { ReplyTemplateService } from '../services/reply-template-service';
import { RelationService } from '../services/relation-service';
import { RetentionService } from '../services/retention-service';
import { StaffService } from '../services/staff-service';
import { pgQuery } from '../db/query';
import { CaseSlaLoader } from '../services/sla-service';
import { TimerService } from '../services/timer-service';
import { WindowService } from '../services/window-service';
import { ViewService } from '../services/view-service';

interface Services {
  cases: CaseService;
  health: HealthService;
  reference: ReferenceService;
  notices: NoticeService;
  timers: TimerService;
  windows: WindowService;
  staff: StaffService;
  people: PeopleService;
  retention: RetentionService;
  replyTemplates: ReplyTemplateService;
  relations: RelationService;
  /** CSV exports of the case list. */
  caseExport: CaseExportService;
  /** The service level of case views, with its cached calendar (cleared by calendar edits). */
  slaViews: CaseSlaLoader;
  /** Saved views and queue counts (docs/queues.md). */
  views: ViewService;
  clock: Clock;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    config: Config;
  }
}

/** Wires the use-case services over the database and the injected clock. */
async function servicesPlugin(app: FastifyInstance, opts: { config: Config; clock: Clock }): Promise<void> {
  const forms = new FormValidator();
  const slaViews = new CaseSlaLoader(pgQuery(app.pool), opts.clock, opts.config.TIMEZONE);
  // One copy of the categories' facts for every list page, JSON or CSV (docs/decisions/category-facts.md).
  const categoryFacts = new CategoryFactsCopy(pgQuery(app.pool));
  const cases = new CaseService(app.pool, opts.clock, opts.config, forms, slaViews, categoryFacts);
  const timers = new TimerService(app.pool, opts.clock, opts.config);
  app.decorate('config', opts.config);
  app.decorate('services', {
    cases,
    health: new HealthService(app.pool),
    reference: new ReferenceService(app.pool, forms, opts.clock),
    notices: new NoticeService(app.pool, opts.clock),
    timers,
    windows: new WindowService(app.pool, cases, timers),
    staff: new StaffService(app.pool, opts.clock),
    people: new PeopleService(app.pool, opts.clock, opts.config),
    retention: new RetentionService(app.pool, opts.clock, opts.config),
    replyTemplates: new ReplyTemplateService(pgQuery(app.pool), opts.clock),
    relations: new RelationService(app.pool, opts.clock, opts.config, cases),
    caseExport: new CaseExportService(app.pool, opts.clock, opts.config.CSV_MAX_ROWS, categoryFacts),
    slaViews,
    views: new ViewService(app.pool, opts.clock),
    clock: opts.clock,
  });
}

export default fp(servicesPlugin, { name: 'services', dependencies: ['db'], fastify: '5.x' });
