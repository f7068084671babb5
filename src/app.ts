import { randomUUID } from 'node:crypto';
import pino from 'pino';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { checkConfig, type Config } from './config';
import { resolveVerifier } from './auth/verifier';
import { systemClock, type Clock } from './domain/clock';
import { OneLinePerRequest } from './http/log-controller';
import { buildValidator } from './http/validation';
import securityHeadersPlugin from './plugins/security-headers';
import errorsPlugin, { frameworkErrorReply } from './plugins/errors';
import bodyDepthPlugin from './plugins/body-depth';
import dbPlugin from './plugins/db';
import authPlugin, { type AuthOptions } from './plugins/auth';
import swaggerPlugin from './plugins/swagger';
import servicesPlugin from './plugins/services';
import timersPlugin from './plugins/timers';
import retentionPlugin from './plugins/retention';
import integrationPlugin from './plugins/integration';
import webhooksPlugin from './plugins/webhooks';
import notificationsPlugin from './plugins/notifications';
import metricsPlugin from './plugins/metrics';
import expensiveRequestsPlugin from './plugins/expensive-requests';
import serviceLevelsPlugin from './plugins/service-levels';
import healthRoutes from './routes/health';
import v1Routes from './routes/v1';

export interface BuildOptions {
  config: Config;
  /** Injected time; the real clock by default. */
  clock?: Clock;
  /** Apply pending migrations at start (default true). */
  migrate?: boolean;
  /** Token verification override (tests). */
  verifier?: AuthOptions['verifier'];
  /** Logger override (tests pass false). */
  logger?: FastifyServerOptions['logger'];
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
  /**
   * Called once the instance exists, after the app's own first hooks and before any plugin or
   * route: the tests install their response contract check here (test/helpers/contract.ts).
   */
  instrument?: (app: FastifyInstance) => void;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Pino options: JSON lines, pretty only on a terminal, never bodies or credentials. To stdout the
 * lines go asynchronously and in batches: a synchronous write per line cost ≈7 % of a loaded
 * process's CPU, and an asynchronous write per line still ≈6 % (one system call and a thread-pool
 * hand-off each, #17 item 3), so lines collect until LOG_BUFFER_BYTES and at most
 * LOG_FLUSH_MS (docs/decisions/log-batching.md). pino flushes the rest synchronously on exit; a
 * SIGKILL loses at most that last second.
 */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_MS = 1000;

function loggerOptions(config: Config, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  const pretty = !stream && process.stdout.isTTY && config.NODE_ENV !== 'production';
  const out = stream ?? (pretty ? undefined : pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS }));
  return {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    ...(out ? { stream: out } : {}),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
}

/**
 * Builds the application: external plugins, then the app's own (errors → db → auth → services
 * → timers), then routes. The returned instance is ready to `listen` or `inject`.
 */
export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts;
  // Every rule of the configuration, before anything starts: a wrong setting must stop the
  // start before the db plugin migrates (a production start without an issuer used to migrate,
  // then exit).
  checkConfig(config, { externalVerifier: opts.verifier !== undefined });
  const app = Fastify({
    logger: opts.logger ?? loggerOptions(config, opts.logStream),
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    // An incoming x-request-id is kept when it is a sane token, so ids follow a call across systems.
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Bodies are validated without type coercion, the other parts with it (src/http/validation.ts).
    schemaController: { compilersFactory: { buildValidator } },
    return503OnClosing: true,
    // The embedded PostgreSQL's first start (initdb of a fresh data directory) and the migrations
    // take longer than Fastify's default 10 s on a loaded two-core machine.
    pluginTimeout: 120_000,
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorReply,
    logController: new OneLinePerRequest(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are JSON (or multipart where a route registers it); Fastify's built-in text/plain
  // parser would turn a wrong content type into a 400 about the body instead of a 415.
  app.removeContentTypeParser('text/plain');

  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // API answers carry personal data: no browser, proxy or CDN may keep a copy (problems too).
    if (request.url === '/v1' || request.url.startsWith('/v1/') || request.url.startsWith('/v1?')) {
      void reply.header('cache-control', 'no-store');
    }
  });

  opts.instrument?.(app);

  await app.register(errorsPlugin);
  await app.register(bodyDepthPlugin);
  await app.register(securityHeadersPlugin);
  const origins = config.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      // The methods and request headers the API uses, so a browser front end can edit and delete.
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key', 'x-request-id'],
      exposedHeaders: ['etag', 'location', 'x-request-id', 'retry-after', 'idempotent-replayed'],
      maxAge: 600,
    });
  }
  if (config.RATE_LIMIT_MAX > 0) {
    await app.register(rateLimit, {
      max: config.RATE_LIMIT_MAX,
      timeWindow: 60_000,
      hook: 'preHandler',
      keyGenerator: (request) => request.principal?.id ?? request.ip,
    });
  }
  await app.register(swaggerPlugin);
  // Before the db plugin migrates: an issuer that cannot be discovered stops the start first.
  const verifier = opts.verifier ?? (await resolveVerifier(config, app.log));
  await app.register(dbPlugin, { config, migrate: opts.migrate ?? true });
  await app.register(authPlugin, { config, verifier });
  await app.register(servicesPlugin, { config, clock: opts.clock ?? systemClock });
  await app.register(timersPlugin, { config });
  await app.register(retentionPlugin, { config });
  await app.register(integrationPlugin);
  await app.register(webhooksPlugin);
  await app.register(notificationsPlugin);
  await app.register(serviceLevelsPlugin, { config });
  await app.register(expensiveRequestsPlugin, { config });
  // Before the routes: it measures every route registered after it.
  await app.register(metricsPlugin, { config });

  await app.register(healthRoutes);
  await app.register(v1Routes, { prefix: '/v1' });
  await app.ready();
  return app;
}
