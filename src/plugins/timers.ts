import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';

/**
 * The background loop that fires due timers: one sweep as soon as the app is ready (timers that
 * fell due while the service was down fire now), then one every TIMER_INTERVAL_MS after the
 * previous sweep ends (0: off). Close stops it: no new sweep starts, a sweep under way stops
 * after its current batch, and close waits for that before the database plugin closes.
 */
async function timersPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const interval = opts.config.TIMER_INTERVAL_MS;
  if (interval <= 0) return;
  const stop = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  const schedule = (delay: number): void => {
    timer = setTimeout(tick, delay);
    // The server's socket keeps the process alive; a pending sweep alone must not.
    timer.unref();
  };

  function tick(): void {
    timer = null;
    running = app.services.timers
      .sweep(app.services.clock.now(), stop.signal)
      .then((report) => {
        if (report.fired > 0) app.log.info({ fired: report.fired, batches: report.batches }, 'timers fired');
        if (report.voided.length > 0) app.log.warn({ caseIds: report.voided }, 'timers voided: case no longer in the timer status, or the move was refused');
      })
      .catch((err: unknown) => app.log.warn({ err }, 'timer sweep failed; retrying next interval'))
      .finally(() => {
        running = null;
        if (!stop.signal.aborted) schedule(interval);
      });
  }

  app.addHook('onReady', async () => {
    schedule(0);
  });
  app.addHook('onClose', async () => {
    stop.abort();
    if (timer) clearTimeout(timer);
    if (running) await running;
  });
}

export default fp(timersPlugin, { name: 'timers', dependencies: ['services'], fastify: '5.x' });
