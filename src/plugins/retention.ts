import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';

/** The first sweep after start comes at most this soon, so frequent deploys cannot starve a daily job. */
const FIRST_RUN_MAX_DELAY_MS = 60_000;

/**
 * The background loop that anonymises closed cases past their retention every
 * RETENTION_INTERVAL_MS (daily by default; 0: off). Stops on close, waiting for a sweep under way.
 */
async function retentionPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const interval = opts.config.RETENTION_INTERVAL_MS;
  if (interval <= 0) return;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const tick = (): void => {
    running = app.services.retention
      .run()
      .then((anonymised) => {
        if (anonymised > 0) app.log.info({ anonymised }, 'closed cases anonymised after retention');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'retention sweep failed; retrying next interval'))
      .finally(() => {
        running = null;
        if (!stopped) timer = setTimeout(tick, interval);
      });
  };

  app.addHook('onReady', async () => {
    timer = setTimeout(tick, Math.min(interval, FIRST_RUN_MAX_DELAY_MS));
  });
  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (running) await running;
  });
}

export default fp(retentionPlugin, { name: 'retention', dependencies: ['services'], fastify: '5.x' });
