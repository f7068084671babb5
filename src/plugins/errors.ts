import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, type ErrorCode } from '../domain/errors';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from '../http/problems';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
  'P1001', // Prisma: can't reach database server
  'P1017', // Prisma: server closed the connection
  'P2028', // Prisma: no connection for a transaction within maxWait, or it expired (pool exhausted, overload)
]);

/**
 * An error and what it wraps: `cause`s, and the driver error Prisma keeps in
 * `meta.driverAdapterError` (its `cause` holds PostgreSQL's SQLSTATE as `originalCode`).
 */
function* errorChain(err: unknown): Generator<Record<string, unknown>> {
  const queue: unknown[] = [err];
  for (let seen = 0; queue.length > 0 && seen < 12; seen++) {
    const e = queue.shift();
    if (!e || typeof e !== 'object') continue;
    const o = e as Record<string, unknown> & { meta?: { driverAdapterError?: unknown } };
    yield o;
    queue.push(o.cause, o.meta?.driverAdapterError);
  }
}

function codesOf(o: Record<string, unknown>): string[] {
  return [o.code, o.originalCode].filter((c): c is string => typeof c === 'string');
}

/** Walks an error and its causes for a code or message that says the database is unreachable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const o of errorChain(err)) {
    if (codesOf(o).some((c) => UNAVAILABLE_CODES.has(c))) return true;
    if (o.kind === 'DatabaseNotReachable' || o.kind === 'ConnectionClosed') return true;
    if (typeof o.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Can't reach database|is not queryable|Client was closed/i.test(o.message)) {
      return true;
    }
  }
  return false;
}

/** Serialization failures and deadlocks (P2034 is Prisma's name for both): the client should retry. */
function isRetryableConflict(err: unknown): boolean {
  for (const o of errorChain(err)) if (codesOf(o).some((c) => c === '40001' || c === '40P01' || c === 'P2034')) return true;
  return false;
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: a NUL in a string, a date outside its range, a
 * number too large): a value the request carried that validation let through and the database
 * cannot store. The request is at fault, not the service.
 */
function isDataException(err: unknown): boolean {
  for (const o of errorChain(err)) if (codesOf(o).some((c) => /^22[0-9A-Z]{3}$/.test(c))) return true;
  return false;
}

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'validation-failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  406: 'validation-failed',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  428: 'precondition-required',
  429: 'rate-limited',
  503: 'service-unavailable',
};

/**
 * Turns every error into RFC 9457 application/problem+json: domain refusals with their extra
 * members, Fastify's validation and content errors, an unreachable database as 503 with
 * Retry-After, and anything else as a 500 whose details stay in the log.
 */
async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    let body: Problem;
    if (isDomainError(err)) {
      body = problem(err.code, err.message, { ...err.extras });
      if (err.code === 'service-unavailable') void reply.header('retry-after', '5');
      if (err.code === 'unauthorized') {
        // RFC 6750 §3: no error code when no token came, invalid_token when one failed.
        const failed = err.extras.reason !== undefined && err.extras.reason !== 'missing-token';
        void reply.header('www-authenticate', failed ? 'Bearer realm="saksflyt", error="invalid_token"' : 'Bearer realm="saksflyt"');
      }
    } else if (err.validation) {
      body = problem('validation-failed', `${err.validationContext ?? 'request'} ${err.message.replace(/^(body|querystring|params|headers)\s*/, '')}`.trim(), {
        errors: err.validation.map((v) => ({
          in: err.validationContext,
          path: (v as { instancePath?: string }).instancePath ?? '',
          message: v.message ?? 'invalid',
        })),
      });
    } else if (isDatabaseUnavailable(err)) {
      request.log.warn({ err: { message: err.message, code: err.code } }, 'database unavailable');
      body = problem('service-unavailable', 'The database is unavailable; retry shortly.');
      void reply.header('retry-after', '5');
    } else if (isRetryableConflict(err)) {
      body = problem('conflict', 'The case changed concurrently; retry the request.');
    } else if (isDataException(err)) {
      request.log.warn({ err: { message: err.message, code: err.code } }, 'database refused a value of the request');
      body = problem('validation-failed', 'A value in the request cannot be stored (out of range, or a character such as NUL that is not allowed).');
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      const code = BY_STATUS[err.statusCode] ?? 'validation-failed';
      // Keep the plugin's own status (e.g. 429 from @fastify/rate-limit, with its headers).
      body = { ...problem(code, err.message), status: err.statusCode };
    } else {
      request.log.error({ err }, 'unhandled error');
      body = problem('internal-error', 'An unexpected error occurred. It has been logged.');
    }
    body.instance = request.url.split('?')[0];
    return reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body = problem('not-found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    body.instance = request.url.split('?')[0];
    return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(body);
  });
}

/**
 * Fastify's `frameworkErrors`: refusals by the router itself (a URL that does not decode, a path
 * parameter longer than maxParamLength) happen before any route and skip the error handler;
 * they answer as problems too.
 */
export function frameworkErrorReply(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const body = problem('validation-failed', tooLong ? 'A path parameter is too long.' : 'The URL is not valid.', {
    errors: [{ in: 'params', path: '', message: tooLong ? 'too long' : 'invalid' }],
  });
  body.instance = request.url.split('?')[0];
  void reply.status(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' });
