import fp from 'fastify-plugin';
import fastifyMetrics from 'fastify-metrics';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../config';
import { pgQuery } from '../db/query';
import {
  breachesPerKind,
  casesPerStatusAndTeam,
  pendingDeliveries,
  staleSlaCount,
  timerCounts,
} from '../repositories/metrics-repository';

/**
 * Prometheus metrics at GET /metrics: request rate and latency per route (fastify-metrics'
 * histogram, labelled by the route pattern), process vitals, and gauges read from the database
 * on each scrape: cases per status and team, timers, webhook backlog, SLA breaches.
 *
 * The endpoint has no authentication and no rate limit, like the health checks: operators must
 * keep it off the public network (expose it only to the Prometheus scraper).
 *
 * Metrics live in a registry of this app rather than prom-client's global one, so several apps
 * in one process (tests, a blue/green pair) do not collide on metric names.
 */
async function metricsPlugin(app: FastifyInstance, opts: { config: Config }): Promise<void> {
  if (!opts.config.METRICS_ENABLED) return;
  const registry = new Registry();

  const endpoint = {
    method: 'GET',
    url: '/metrics',
    logLevel: 'warn',
    config: { rateLimit: false, disableMetrics: true },
    schema: {
      tags: ['health'],
      summary: 'Prometheus metrics (restrict to the scraper at the network; no authentication)',
      produces: ['text/plain'],
      response: {
        200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
      },
    },
  } as unknown as RouteOptions;

  await app.register(fastifyMetrics, {
    endpoint,
    defaultMetrics: { enabled: true, register: registry },
    routeMetrics: {
      enabled: { histogram: true, summary: false },
      routeBlacklist: ['/metrics'],
      overrides: {
        histogram: {
          registers: [registry],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
        // fastify-metrics builds the summary even when it is off; keep it out of the global registry.
        summary: { registers: [registry] },
      },
    },
  });

  // Each gauge asks the database when scraped; a failing query leaves that gauge empty for this
  // scrape (and logs) instead of failing the whole exposition.
  const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => Promise<void>): Gauge =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          await read(this);
        } catch (err) {
          app.log.warn({ err: { message: (err as Error).message }, metric: name }, 'metric collection failed');
        }
      },
    });

  const q = pgQuery(app.pool);

  new Counter({
    name: 'saksflyt_bearer_tokens_total',
    help: 'Bearer tokens accepted: verified (signature checked) or reused (verified moments ago, TOKEN_CACHE_SECONDS)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'verified' }, app.tokenStats.verified);
      this.inc({ outcome: 'reused' }, app.tokenStats.reused);
    },
  });

  gauge('saksflyt_cases', 'Cases per status and team', ['status', 'team'], async (g) => {
    const rows = await casesPerStatusAndTeam(q);
    for (const r of rows) g.set({ status: r.status, team: r.team }, r.n);
  });

  gauge('saksflyt_timers', 'Pending timed transitions: due (should have fired) and scheduled (all pending)', ['state'], async (g) => {
    const r = await timerCounts(q, app.services.clock.now());
    g.set({ state: 'due' }, r.due);
    g.set({ state: 'scheduled' }, r.scheduled);
  });

  gauge('saksflyt_webhook_deliveries_pending', 'Webhook deliveries not yet delivered (the backlog)', [], async (g) => {
    g.set((await pendingDeliveries(q)).n);
  });

  gauge('saksflyt_webhook_oldest_pending_seconds', 'Age of the oldest pending webhook delivery', [], async (g) => {
    const { oldest } = await pendingDeliveries(q);
    g.set(oldest ? Math.max(0, (app.services.clock.now().getTime() - new Date(oldest).getTime()) / 1000) : 0);
  });

  gauge('saksflyt_sla_breaches', 'Recorded service-level breaches', ['kind'], async (g) => {
    const rows = await breachesPerKind(q);
    g.set({ kind: 'first_response' }, 0);
    g.set({ kind: 'resolution' }, 0);
    for (const r of rows) g.set({ kind: r.kind }, r.n);
  });

  gauge('saksflyt_sla_stale_cases', 'Cases whose due times wait for the SLA sweep', [], async (g) => {
    g.set(await staleSlaCount(q));
  });
}

export default fp(metricsPlugin, { name: 'metrics-gauges', dependencies: ['db', 'auth', 'services'], fastify: '5.x' });
