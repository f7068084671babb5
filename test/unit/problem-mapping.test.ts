import { DomainError } from '../../src/domain/errors';
import { logProblem, toProblem } from '../../src/http/problem-mapping';

/** A pg error as the driver throws it (SQLSTATE in `code`). */
function pgError(code: string, message = 'database error'): Error {
  return Object.assign(new Error(message), { code });
}

/** A Prisma error over the pg adapter: the SQLSTATE sits in meta.driverAdapterError.cause.originalCode. */
function prismaAdapterError(originalCode: string): Error {
  return Object.assign(new Error('Invalid prisma call'), {
    code: 'P2010',
    meta: { driverAdapterError: Object.assign(new Error('adapter'), { cause: { originalCode, kind: 'postgres' } }) },
  });
}

describe('toProblem', () => {
  describe('domain errors', () => {
    it('keeps the code and the extra members, unlogged (409)', () => {
      const m = toProblem(new DomainError('invalid-transition', 'no', { currentStatus: 'CLOSED', allowed: [] }));
      expect(m).toEqual({
        problem: {
          type: '/problems/invalid-transition',
          title: 'Transition not allowed',
          status: 409,
          detail: 'no',
          code: 'invalid-transition',
          currentStatus: 'CLOSED',
          allowed: [],
        },
        log: 'none',
        headers: {},
      });
    });

    it('answers service-unavailable with Retry-After (503)', () => {
      const m = toProblem(new DomainError('service-unavailable', 'later'));
      expect(m.problem.status).toBe(503);
      expect(m.headers).toEqual({ 'retry-after': '5' });
    });

    it('challenges a missing token without an error code, a failed one with invalid_token (401)', () => {
      expect(toProblem(new DomainError('unauthorized', 'x', { reason: 'missing-token' })).headers).toEqual({
        'www-authenticate': 'Bearer realm="saksflyt"',
      });
      expect(toProblem(new DomainError('unauthorized', 'x')).headers).toEqual({ 'www-authenticate': 'Bearer realm="saksflyt"' });
      expect(toProblem(new DomainError('unauthorized', 'x', { reason: 'expired' })).headers).toEqual({
        'www-authenticate': 'Bearer realm="saksflyt", error="invalid_token"',
      });
    });

    it('recognises a DomainError from another module copy by its name (404)', () => {
      const copy = Object.assign(new Error('gone'), { name: 'DomainError', code: 'not-found', extras: {} });
      expect(toProblem(copy).problem).toMatchObject({ status: 404, code: 'not-found', detail: 'gone' });
    });
  });

  describe('transport errors', () => {
    it('answers a statement cancelled by statement_timeout (57014) as retryable, from pg and through Prisma (503)', () => {
      for (const err of [pgError('57014', 'canceling statement due to statement timeout'), prismaAdapterError('57014')]) {
        const m = toProblem(err);
        expect(m.problem).toMatchObject({ status: 503, code: 'service-unavailable', reason: 'statement-timeout' });
        expect(m.headers).toEqual({ 'retry-after': '5' });
        expect(m.log).toBe('warn');
      }
    });

    it('answers a request that got no pooled connection in time as retryable, logged apart from an outage (503)', () => {
      // pg-pool's error when every connection stayed busy for connectionTimeoutMillis.
      const m = toProblem(new Error('timeout exceeded when trying to connect'));
      expect(m.problem).toMatchObject({ status: 503, code: 'service-unavailable' });
      expect(m.problem.detail).toMatch(/No database connection became free in time/);
      expect(m.headers).toEqual({ 'retry-after': '5' });
      expect(m).toMatchObject({ log: 'warn', logMessage: 'no database connection in time (pool busy or database slow)' });
      expect(toProblem(pgError('57P01')).logMessage).toBe('database unavailable');
    });

    it('gives a rate-limited refusal its Retry-After (429)', () => {
      const m = toProblem(new DomainError('rate-limited', 'later', { retryAfterSeconds: 1 }));
      expect(m.problem.status).toBe(429);
      expect(m.headers).toEqual({ 'retry-after': '1' });
    });

    it('maps Fastify validation to validation-failed with its errors (400)', () => {
      const err = Object.assign(new Error("body must have required property 'to'"), {
        validation: [{ instancePath: '', message: "must have required property 'to'" }],
        validationContext: 'body',
      });
      expect(toProblem(err)).toMatchObject({
        problem: {
          status: 400,
          code: 'validation-failed',
          detail: "body must have required property 'to'",
          errors: [{ in: 'body', path: '', message: "must have required property 'to'" }],
        },
        log: 'none',
      });
    });

    it.each([
      ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
      ['a server shutting down', pgError('57P01')],
      ['Prisma unable to reach the server', Object.assign(new Error('x'), { code: 'P1001' })],
      ['a wrapped terminated connection', new Error('query failed', { cause: new Error('Connection terminated unexpectedly') })],
      ['a closed adapter connection', Object.assign(new Error('x'), { meta: { driverAdapterError: { kind: 'ConnectionClosed' } } })],
    ])('answers %s with service-unavailable and Retry-After, logged as a warning (503)', (_, err) => {
      const m = toProblem(err);
      expect(m.problem).toMatchObject({ status: 503, code: 'service-unavailable', detail: 'The database is unavailable; retry shortly.' });
      expect(m.headers).toEqual({ 'retry-after': '5' });
      expect(m.log).toBe('warn');
    });

    it.each([
      ['a serialization failure', pgError('40001')],
      ['a deadlock', pgError('40P01')],
      ["Prisma's P2034", Object.assign(new Error('Transaction failed due to a write conflict or a deadlock'), { code: 'P2034' })],
      ['a serialization failure under Prisma', prismaAdapterError('40001')],
    ])('answers %s with conflict (409)', (_, err) => {
      expect(toProblem(err)).toMatchObject({
        problem: { status: 409, code: 'conflict', detail: 'The case changed concurrently; retry the request.' },
        log: 'none',
      });
    });

    it.each([
      ['a NUL byte (22021)', pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
      ['a date out of range (22008)', pgError('22008')],
      ['a numeric overflow under Prisma (22003)', prismaAdapterError('22003')],
    ])('answers %s with validation-failed, logged as a warning (400)', (_, err) => {
      expect(toProblem(err)).toMatchObject({ problem: { status: 400, code: 'validation-failed' }, log: 'warn' });
    });

    it('keeps the status of a Fastify-style 4xx error, and its message as the detail (429, 415)', () => {
      expect(toProblem(Object.assign(new Error('slow down'), { statusCode: 429 })).problem).toMatchObject({
        status: 429,
        code: 'rate-limited',
        detail: 'slow down',
      });
      expect(toProblem(Object.assign(new Error('no'), { statusCode: 415 })).problem).toMatchObject({ status: 415, code: 'unsupported-media-type' });
      expect(toProblem(Object.assign(new Error('teapot'), { statusCode: 418 })).problem).toMatchObject({ status: 418, code: 'validation-failed' });
    });
  });

  it('answers anything else with internal-error, hiding its message, logged as an error (500)', () => {
    for (const err of [new Error('secret detail'), Object.assign(new Error('boom'), { statusCode: 502 }), 'a string', null, undefined]) {
      const m = toProblem(err);
      expect(m.problem).toMatchObject({ status: 500, code: 'internal-error', detail: 'An unexpected error occurred. It has been logged.' });
      expect(m.log).toBe('error');
      expect(JSON.stringify(m.problem)).not.toContain('secret');
    }
  });

  it('words the retry advice for a bulk operation, with the same status (503, 409)', () => {
    expect(toProblem(pgError('57P01'), 'operation').problem).toMatchObject({
      status: 503,
      detail: 'The database is unavailable; retry the operation.',
    });
    expect(toProblem(pgError('40001'), 'operation').problem).toMatchObject({
      status: 409,
      detail: 'The case changed concurrently; retry the operation.',
    });
  });

  it('returns a fresh problem each time, so a caller may add `instance`', () => {
    const a = toProblem(pgError('40001'));
    a.problem.instance = '/x';
    expect(toProblem(pgError('40001')).problem.instance).toBeUndefined();
  });
});

describe('logProblem', () => {
  function recorder() {
    const lines: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
    const at = (level: string) => (obj: Record<string, unknown>, msg?: string) => lines.push({ level, obj, msg });
    return { lines, log: { warn: at('warn'), error: at('error') } as never };
  }

  it('logs a bug whole, an expected failure by message and code only, and a refusal not at all', () => {
    const { lines, log } = recorder();
    const bug = new Error('boom');
    logProblem(log, bug, toProblem(bug), { index: 3 });
    const nul = Object.assign(pgError('22021', 'invalid byte'), { detail: 'value the request sent' });
    logProblem(log, nul, toProblem(nul));
    const refusal = new DomainError('forbidden', 'no');
    logProblem(log, refusal, toProblem(refusal));
    expect(lines).toEqual([
      { level: 'error', obj: { index: 3, err: bug }, msg: 'unhandled error' },
      { level: 'warn', obj: { err: { message: 'invalid byte', code: '22021' } }, msg: 'database refused a value of the request' },
    ]);
  });
});
