import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';

/** The first sweep after start comes at most this soon, so frequent deploys cannot starve a daily job. */
const FIRST_RUN_MAX_DELAY_MS = 60_000;
/** How often the words removed from cases are checked against the search word list. */
const WORD_CLEANUP_INTERVAL_MS = 60_000;

/**
 * The background loop that anonymises closed cases past their retention every
 * RETENTION_INTERVAL_MS (daily by default; 0: off), and the one that cleans the search word list
 * every minute while retention is on. Stop on close, waiting for a run under way.
 */
async function retentionPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  const interval = opts.config.RETENTION_INTERVAL_MS;
  backgroundLoop(app, {
    name: 'retention sweep',
    intervalMs: interval,
    firstRunDelayMs: Math.min(interval, FIRST_RUN_MAX_DELAY_MS),
    // A failed sweep (a statement timeout while the database is busy) is tried again in a minute,
    // not a day later: a backlog of expired cases must not wait for a quiet day to go.
    retryAfterFailureMs: FIRST_RUN_MAX_DELAY_MS,
    closeTimeoutMs: loopCloseTimeoutMs(opts.config),
    // RetentionService.run takes no signal yet: a sweep under way runs to its end (or the close bound).
    run: (signal) => app.services.retention.run(undefined, signal),
    onResult: (anonymised) => {
      if (anonymised > 0) app.log.info({ anonymised }, 'closed cases anonymised after retention');
    },
  });
  // Words that edits and merges removed leave the search word list within a minute (the retention
  // sweep drops those of its own anonymisations at its end). Runs while retention runs.
  backgroundLoop(app, {
    name: 'word list cleanup',
    intervalMs: interval > 0 ? Math.min(interval, WORD_CLEANUP_INTERVAL_MS) : 0,
    closeTimeoutMs: loopCloseTimeoutMs(opts.config),
    run: (signal) => app.services.retention.cleanUpWords(signal),
  });
}

export default fp(retentionPlugin, { name: 'retention', dependencies: ['services'], fastify: '5.x' });
