import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { ConcurrencyLimit } from '../http/concurrency-limit';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The per-identity cap on expensive requests in flight (EXPENSIVE_CONCURRENCY_PER_IDENTITY),
     * shared by every route that wraps its work in it: GET /v1/cases with q, the reports.
     */
    expensiveRequests: ConcurrencyLimit;
  }
}

/** One limit for the whole app, so a caller's searches and reports count together. */
async function expensiveRequestsPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  app.decorate('expensiveRequests', new ConcurrencyLimit(opts.config.EXPENSIVE_CONCURRENCY_PER_IDENTITY));
}

export default fp(expensiveRequestsPlugin, { name: 'expensive-requests', fastify: '5.x' });
