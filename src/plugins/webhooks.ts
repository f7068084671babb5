import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

/**
 * The background webhook loop: every WEBHOOK_INTERVAL_MS after the previous run ends (0: off)
 * it queues new events and sends due deliveries, and drops expired idempotency keys. It starts
 * when the app is ready; close waits for a run under way, before the database plugin closes.
 * Several instances may run it at once (claims use SKIP LOCKED).
 */
async function webhooksPlugin(app: FastifyInstance): Promise<void> {
  const interval = app.config.WEBHOOK_INTERVAL_MS;
  if (interval <= 0) return;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const schedule = (): void => {
    timer = setTimeout(tick, interval);
    timer.unref();
  };

  function tick(): void {
    timer = null;
    const { webhooks, idempotency } = app.integration;
    running = (async () => {
      const now = app.services.clock.now();
      const result = await webhooks.run(now);
      if (result.attempted > 0 || result.queued > 0) app.log.info(result, 'webhook deliveries');
      if (result.disabled > 0) app.log.warn({ disabled: result.disabled }, 'webhook subscriptions disabled after repeated failures');
      await idempotency.purgeExpired(now);
    })()
      .catch((err: unknown) => app.log.warn({ err }, 'webhook run failed; retrying next interval'))
      .finally(() => {
        running = null;
        if (!stopped) schedule();
      });
  }

  app.addHook('onReady', async () => {
    schedule();
  });
  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (running) await running;
  });
}

export default fp(webhooksPlugin, { name: 'webhooks', dependencies: ['integration'], fastify: '5.x' });
