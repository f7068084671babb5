import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';

/**
 * The background webhook loop: as soon as the app is ready, then every WEBHOOK_INTERVAL_MS after
 * the previous run ends (0: off), it queues new events and sends due deliveries, and drops
 * expired idempotency keys. Close waits for a run under way, before the database plugin closes.
 * Several instances may run it at once (claims use SKIP LOCKED).
 */
async function webhooksPlugin(app: FastifyInstance): Promise<void> {
  backgroundLoop(app, {
    name: 'webhook run',
    intervalMs: app.config.WEBHOOK_INTERVAL_MS,
    closeTimeoutMs: loopCloseTimeoutMs(app.config),
    run: async (signal) => {
      const { webhooks, idempotency } = app.integration;
      const now = app.services.clock.now();
      const result = await webhooks.run(now);
      if (result.attempted > 0 || result.queued > 0) app.log.info(result, 'webhook deliveries');
      if (result.disabled > 0) app.log.warn({ disabled: result.disabled }, 'webhook subscriptions disabled after repeated failures');
      // The purge can wait for the next run when the app is closing.
      if (!signal.aborted) await idempotency.purgeExpired(now);
    },
  });
}

export default fp(webhooksPlugin, { name: 'webhooks', dependencies: ['integration'], fastify: '5.x' });
