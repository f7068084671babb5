import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { version } from '../../package.json';
import { WebhookEgress } from '../http/webhook-egress';
import { BulkService } from '../services/bulk-service';
import { EventService } from '../services/event-service';
import { IdempotencyService } from '../services/idempotency-service';
import { WebhookService } from '../services/webhook-service';

interface IntegrationServices {
  idempotency: IdempotencyService;
  events: EventService;
  webhooks: WebhookService;
  bulk: BulkService;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The integration surface: idempotency keys, the events feed, webhooks, bulk operations. */
    integration: IntegrationServices;
  }
}

/** Wires the integration services over the database, the case service and the injected clock. */
async function integrationPlugin(app: FastifyInstance): Promise<void> {
  const { config } = app;
  const { clock, cases } = app.services;
  const events = new EventService(app.pool);
  const webhooks = new WebhookService(app.pool, events, clock, {
    maxFailures: config.WEBHOOK_MAX_FAILURES,
    batchSize: config.WEBHOOK_BATCH_SIZE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS,
    backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
    allowHttp: config.NODE_ENV !== 'production',
    userAgent: `saksflyt-webhooks/${version}`,
    egress: new WebhookEgress(config.WEBHOOK_ALLOW_HOSTS),
    log: app.log,
  });
  app.decorate('integration', {
    idempotency: new IdempotencyService(app.pool, clock, config.IDEMPOTENCY_TTL_HOURS),
    events,
    webhooks,
    bulk: new BulkService(cases),
  });
  app.addHook('onClose', async () => webhooks.close());
}

export default fp(integrationPlugin, { name: 'integration', dependencies: ['services'], fastify: '5.x' });
