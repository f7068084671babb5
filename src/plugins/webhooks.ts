import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';

/**
 * The background webhook loop: as soon as the app is ready, then every WEBHOOK_INTERVAL_MS after
 * the previous run ends (0: off), it queues new events and sends due deliveries. Close waits for
 * a run under way, before the database plugin closes. Several instances may run it at once
 * (claims use SKIP LOCKED). Expired idempotency keys have their own loop (plugins/idempotency.ts).
 */
async function webhooksPlugin(app: FastifyInstance): Promise<void> {
  backgroundLoop(app, {
    name: 'webhook run',
    intervalMs: app.config.WEBHOOK_INTERVAL_MS,
    closeTimeoutMs: loopCloseTimeoutMs(app.config),
    run: async () => {
      const result = await app.integration.webhooks.run();
      if (result.attempted > 0 || result.queued > 0) app.log.info(result, 'webhook deliveries');
      if (result.disabled > 0) app.log.warn({ disabled: result.disabled }, 'webhook subscriptions disabled after repeated failures');
    },
  });
}

export default fp(webhooksPlugin, { name: 'webhooks', dependencies: ['integration'], fastify: '5.x' });
