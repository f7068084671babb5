import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';

/**
 * The background loop that fires due timers every TIMER_INTERVAL_MS (0: off). It starts when
 * the app is ready and stops on close, waiting for a sweep under way.
 */
async function timersPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const interval = opts.config.TIMER_INTERVAL_MS;
  if (interval <= 0) return;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const tick = (): void => {
    running = app.services.timers
      .runDue()
      .then((fired) => {
        if (fired > 0) app.log.info({ fired }, 'timers fired');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'timer sweep failed; retrying next interval'))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, interval);
      });
  };

  app.addHook('onReady', async () => {
    timer = setTimeout(tick, interval);
  });
  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (running) await running;
  });
}

export default fp(timersPlugin, { name: 'timers', dependencies: ['services'], fastify: '5.x' });
