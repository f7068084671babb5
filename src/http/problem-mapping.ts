import type { FastifyBaseLogger } from 'fastify';
import { isDomainError, type DomainError, type ErrorCode } from '../domain/errors';
import { problem, type Problem } from './problems';

/**
 * What an error answers: the RFC 9457 problem, how loudly it is worth logging, and the response
 * headers that go with it. The error handler and each bulk item use the same mapping, so an
 * operation answers the same status alone and inside a bulk request.
 */
export interface MappedProblem {
  problem: Problem;
  /** 'error': a bug (its details stay in the log, out of the body); 'warn': the database or the input is at fault. */
  log: 'none' | 'warn' | 'error';
  /** The log line's message when `log` is not 'none'. */
  logMessage?: string;
  headers: Readonly<Record<string, string>>;
}

/**
 * Whose request failed: a whole request, or one operation of a bulk request. It changes only the
 * wording of a retry advice (retrying a whole bulk request would apply its other operations again).
 */
export type ProblemScope = 'request' | 'operation';

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const RETRY_AFTER: Readonly<Record<string, string>> = Object.freeze({ 'retry-after': '5' });

/** The error handler's answer to everything; see MappedProblem. */
export function toProblem(err: unknown, scope: ProblemScope = 'request'): MappedProblem {
  if (isDomainError(err)) return domainProblem(err);
  return (
    transportProblem(err, scope) ?? {
      problem: problem('internal-error', 'An unexpected error occurred. It has been logged.'),
      log: 'error',
      logMessage: 'unhandled error',
      headers: NO_HEADERS,
    }
  );
}

/**
 * Logs an error as its mapping says. A bug is logged whole (with its stack); an expected failure
 * by its message and code only, since a driver error can carry the values the request sent.
 */
export function logProblem(log: FastifyBaseLogger, err: unknown, mapped: MappedProblem, fields: Record<string, unknown> = {}): void {
  if (mapped.log === 'error') log.error({ ...fields, err }, mapped.logMessage);
  else if (mapped.log === 'warn') {
    const { message, code } = (err ?? {}) as { message?: unknown; code?: unknown };
    log.warn({ ...fields, err: { message, code } }, mapped.logMessage);
  }
}

/** A refusal by a rule: its code and extra members, never logged. */
function domainProblem(err: DomainError): MappedProblem {
  const body = problem(err.code, err.message, { ...err.extras });
  if (err.code === 'service-unavailable') return { problem: body, log: 'none', headers: RETRY_AFTER };
  if (err.code === 'rate-limited') {
    const seconds = typeof err.extras.retryAfterSeconds === 'number' ? err.extras.retryAfterSeconds : 5;
    return { problem: body, log: 'none', headers: { 'retry-after': String(seconds) } };
  }
  if (err.code === 'unauthorized') {
    // RFC 6750 §3: no error code when no token came, invalid_token when one failed.
    const failed = err.extras.reason !== undefined && err.extras.reason !== 'missing-token';
    const challenge = failed ? 'Bearer realm="saksflyt", error="invalid_token"' : 'Bearer realm="saksflyt"';
    return { problem: body, log: 'none', headers: { 'www-authenticate': challenge } };
  }
  return { problem: body, log: 'none', headers: NO_HEADERS };
}

/**
 * Errors of the transport, not of the rules: Fastify's validation and its other 4xx errors, and
 * the database's (unreachable, a serialization conflict, a value it cannot store). Null for
 * anything else, which is a bug.
 */
function transportProblem(err: unknown, scope: ProblemScope): MappedProblem | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as { message?: unknown; statusCode?: unknown; validation?: unknown; validationContext?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (Array.isArray(e.validation)) {
    const context = typeof e.validationContext === 'string' ? e.validationContext : undefined;
    const body = problem('validation-failed', `${context ?? 'request'} ${message.replace(/^(body|querystring|params|headers)\s*/, '')}`.trim(), {
      errors: (e.validation as Array<{ instancePath?: string; message?: string }>).map((v) => ({
        in: context,
        path: v.instancePath ?? '',
        message: v.message ?? 'invalid',
      })),
    });
    return { problem: body, log: 'none', headers: NO_HEADERS };
  }
  if (isPoolWait(err)) {
    // pg-pool found no free connection (or could not open one) within connectionTimeoutMillis:
    // under load, every pooled connection is busy (an overload answer, not a bug); otherwise
    // the database is slow to accept connections. Either way the caller may retry.
    const detail =
      scope === 'request'
        ? 'No database connection became free in time (the service is busy or the database slow); retry shortly.'
        : 'No database connection became free in time; retry the operation.';
    return {
      problem: problem('service-unavailable', detail),
      log: 'warn',
      logMessage: 'no database connection in time (pool busy or database slow)',
      headers: RETRY_AFTER,
    };
  }
  if (isDatabaseUnavailable(err)) {
    const detail = scope === 'request' ? 'The database is unavailable; retry shortly.' : 'The database is unavailable; retry the operation.';
    return { problem: problem('service-unavailable', detail), log: 'warn', logMessage: 'database unavailable', headers: RETRY_AFTER };
  }
  if (isStatementCancelled(err)) {
    // 503, not 504: the service is up but the statement hit DB_STATEMENT_TIMEOUT_MS (or its
    // report variant); Retry-After tells a client it may try again, perhaps with a narrower query.
    const detail =
      scope === 'request'
        ? 'The request took too long at the database and was cancelled; retry later or narrow it.'
        : 'The operation took too long at the database and was cancelled; retry the operation.';
    return {
      problem: problem('service-unavailable', detail, { reason: 'statement-timeout' }),
      log: 'warn',
      logMessage: 'statement cancelled (timeout)',
      headers: RETRY_AFTER,
    };
  }
  if (isRetryableConflict(err)) {
    return { problem: problem('conflict', `The case changed concurrently; retry the ${scope}.`), log: 'none', headers: NO_HEADERS };
  }
  if (isDataException(err)) {
    return {
      problem: problem(
        'validation-failed',
        'A value in the request cannot be stored (out of range, or a character such as NUL that is not allowed).',
      ),
      log: 'warn',
      logMessage: 'database refused a value of the request',
      headers: NO_HEADERS,
    };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code = BY_STATUS[e.statusCode] ?? 'validation-failed';
    // Keep the plugin's own status (e.g. 429 from @fastify/rate-limit, with its headers).
    return { problem: { ...problem(code, message), status: e.statusCode }, log: 'none', headers: NO_HEADERS };
  }
  return null;
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
  429: 'rate-limited',
  503: 'service-unavailable',
};

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
function isDatabaseUnavailable(err: unknown): boolean {
  for (const o of errorChain(err)) {
    if (codesOf(o).some((c) => UNAVAILABLE_CODES.has(c))) return true;
    if (o.kind === 'DatabaseNotReachable' || o.kind === 'ConnectionClosed') return true;
    if (
      typeof o.message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Can't reach database|is not queryable|Client was closed/i.test(
        o.message,
      )
    ) {
      return true;
    }
  }
  return false;
}

/** pg-pool's own error when it had no connection to give within connectionTimeoutMillis. */
function isPoolWait(err: unknown): boolean {
  for (const o of errorChain(err)) if (typeof o.message === 'string' && /^timeout exceeded when trying to connect$/i.test(o.message)) return true;
  return false;
}

/** SQLSTATE 57014 query_canceled: statement_timeout, or a cancel request. */
function isStatementCancelled(err: unknown): boolean {
  for (const o of errorChain(err)) if (codesOf(o).includes('57014')) return true;
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
