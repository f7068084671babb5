import fp from 'fastify-plugin';
import fastifyMetrics from 'fastify-metrics';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../config';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';
import { pgQuery } from '../db/query';
import { breachesPerKind, casesPerStatusAndTeam, pendingDeliveries, staleSlaCount, timerCounts } from '../repositories/metrics-repository';

declare module 'fastify' {
  interface FastifyInstance {
    /** Reads the database gauges of /metrics now (the loop does it every METRICS_REFRESH_MS). */
    refreshMetrics?: (opts?: { archive?: boolean }) => Promise<void>;
  }
}

/**
 * Prometheus metrics at GET /metrics: request rate and latency per route (fastify-metrics'
 * histogram, labelled by the route pattern), process vitals, and gauges read from the database
 * every METRICS_REFRESH_MS (not per scrape): cases per status and team, timers, webhook backlog,
 * SLA breaches.
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
      operationId: 'getMetrics',
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

  const cases = new Gauge({ name: 'saksflyt_cases', help: 'Cases per status and team', labelNames: ['status', 'team'], registers: [registry] });
  const timers = new Gauge({
    name: 'saksflyt_timers',
    help: 'Pending timed transitions: due (should have fired) and scheduled (all pending)',
    labelNames: ['state'],
    registers: [registry],
  });
  const pending = new Gauge({
    name: 'saksflyt_webhook_deliveries_pending',
    help: 'Webhook deliveries not yet delivered (the backlog)',
    registers: [registry],
  });
  // The age grows between refreshes, so it is worked out at scrape time from the stored instant.
  let oldestPending: Date | null = null;
  new Gauge({
    name: 'saksflyt_webhook_oldest_pending_seconds',
    help: 'Age of the oldest pending webhook delivery',
    registers: [registry],
    collect() {
      this.set(oldestPending ? Math.max(0, (app.services.clock.now().getTime() - oldestPending.getTime()) / 1000) : 0);
    },
  });
  const breaches = new Gauge({ name: 'saksflyt_sla_breaches', help: 'Recorded service-level breaches', labelNames: ['kind'], registers: [registry] });
  const stale = new Gauge({ name: 'saksflyt_sla_stale_cases', help: 'Cases whose due times wait for the SLA sweep', registers: [registry] });
  // The gauges above are as old as this: an alert on it notices a refresh loop that stopped.
  const refreshed = new Gauge({
    name: 'saksflyt_metrics_refreshed_seconds',
    help: 'Unix time of the last refresh of the database gauges',
    registers: [registry],
  });

  // Each reading is its own statement; a failing one keeps its gauges' last values (and logs)
  // rather than failing the others.
  const read = async <T>(metric: string, fn: () => Promise<T>, apply: (v: T) => void): Promise<void> => {
    try {
      apply(await fn());
    } catch (err) {
      app.log.warn({ err: { message: (err as Error).message }, metric }, 'metric collection failed');
    }
  };

  // Scrapes need no token, so a scrape must not cost the database anything: the gauges are read on
  // a timer (METRICS_REFRESH_MS) and a scrape serves the last values. 16 scrapers each running the
  // GROUP BY over every case slowed other users' requests a hundredfold (issue #12).
  // saksflyt_cases in two parts: the open cases on every refresh, the archive (COMPLETED, CLOSED:
  // most cases, a count over all of them) when METRICS_ARCHIVE_REFRESH_MS has passed. A direct call
  // (a test, an admin action) reads both.
  let openRows: Array<{ status: string; team: string; n: number }> = [];
  let archiveRows: Array<{ status: string; team: string; n: number }> = [];
  let archiveReadAt = Number.NEGATIVE_INFINITY;
  const refresh = async (opts: { archive?: boolean } = {}): Promise<void> => {
    const archiveDue = opts.archive ?? true;
    const now = Date.now();
    await read(
      'saksflyt_cases',
      async () => ({
        open: await casesPerStatusAndTeam(q, 'open'),
        archive: archiveDue ? await casesPerStatusAndTeam(q, 'archive') : null,
      }),
      (rows) => {
        openRows = rows.open;
        if (rows.archive) {
          archiveRows = rows.archive;
          archiveReadAt = now;
        }
        cases.reset();
        for (const r of [...openRows, ...archiveRows]) cases.set({ status: r.status, team: r.team }, r.n);
      },
    );
    await read(
      'saksflyt_timers',
      () => timerCounts(q, app.services.clock.now()),
      (r) => {
        timers.set({ state: 'due' }, r.due);
        timers.set({ state: 'scheduled' }, r.scheduled);
      },
    );
    await read(
      'saksflyt_webhook_deliveries_pending',
      () => pendingDeliveries(q),
      (r) => {
        pending.set(r.n);
        oldestPending = r.oldest ? new Date(r.oldest) : null;
      },
    );
    await read(
      'saksflyt_sla_breaches',
      () => breachesPerKind(q),
      (rows) => {
        breaches.reset();
        breaches.set({ kind: 'first_response' }, 0);
        breaches.set({ kind: 'resolution' }, 0);
        for (const r of rows) breaches.set({ kind: r.kind }, r.n);
      },
    );
    await read(
      'saksflyt_sla_stale_cases',
      () => staleSlaCount(q),
      (n) => stale.set(n),
    );
    refreshed.set(Date.now() / 1000);
  };
  app.decorate('refreshMetrics', refresh);

  backgroundLoop(app, {
    name: 'metrics refresh',
    intervalMs: opts.config.METRICS_REFRESH_MS,
    closeTimeoutMs: loopCloseTimeoutMs(opts.config),
    run: () => refresh({ archive: Date.now() - archiveReadAt >= opts.config.METRICS_ARCHIVE_REFRESH_MS }),
  });
}

export default fp(metricsPlugin, { name: 'metrics-gauges', dependencies: ['db', 'auth', 'services'], fastify: '5.x' });
