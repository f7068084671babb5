import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';

/**
 * The background loop that fires due timers: one sweep as soon as the app is ready (timers that
 * fell due while the service was down fire now), then one every TIMER_INTERVAL_MS after the
 * previous sweep ends (0: off). Close stops a sweep under way after its current batch and waits
 * for that before the database plugin closes.
 */
async function timersPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  backgroundLoop(app, {
    name: 'timer sweep',
    intervalMs: opts.config.TIMER_INTERVAL_MS,
    closeTimeoutMs: loopCloseTimeoutMs(opts.config),
    run: (signal) => app.services.timers.sweep(app.services.clock.now(), signal),
    onResult: (report) => {
      if (report.fired > 0) app.log.info({ fired: report.fired, batches: report.batches }, 'timers fired');
      if (report.voided.length > 0)
        app.log.warn({ caseIds: report.voided }, 'timers voided: case no longer in the timer status, or the move was refused');
    },
  });
}

export default fp(timersPlugin, { name: 'timers', dependencies: ['services'], fastify: '5.x' });
