import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AsOfBodySchema, emptyBodyMeansNow, resolveAsOf } from '../../http/as-of';
import { requirePrincipal } from '../../plugins/auth';
import { DateSchema, DateTimeSchema, problems, UuidSchema, ok } from '../../schemas/common';
import { IdParamsSchema } from '../../schemas/case';

const WindowSchema = Type.Object(
  {
    id: UuidSchema,
    from: DateSchema,
    to: DateSchema,
    reason: Type.String(),
  },
  { title: 'SuspensionWindow' },
);

/** Suspension windows, the timer sweep on demand, and the access log of sensitive cases. */
const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { windows, timers } = app.services;

  app.get(
    '/suspension-windows',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listSuspensionWindows',
        tags: ['admin'],
        summary: 'Suspension windows: WAITING_FOR_USER is not used inside them and their days do not count',
        response: { 200: ok(Type.Array(WindowSchema), 'The suspension windows') },
      },
    },
    async () => (await windows.list()).map((w) => ({ id: w.id!, from: w.from, to: w.to, reason: w.reason })),
  );

  app.post(
    '/suspension-windows',
    {
      config: { access: 'admin', responseHeaders: ['location'] },
      schema: {
        operationId: 'createSuspensionWindow',
        tags: ['admin'],
        summary: 'Add a suspension window (admins); due times of waiting cases are recomputed',
        body: Type.Object(
          { from: DateSchema, to: DateSchema, reason: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false, title: 'CreateSuspensionWindowRequest' },
        ),
        response: {
          201: ok(
            Type.Object({ window: WindowSchema, recomputed: Type.Integer() }, { title: 'SuspensionWindowCreated' }),
            'The window and how many due times were recomputed',
          ),
          ...problems(400, 415),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const out = await windows.create(request.body, p.id);
      return reply
        .status(201)
        .header('location', `/v1/suspension-windows/${out.window.id}`)
        .send({ window: { ...out.window, id: out.window.id! }, recomputed: out.recomputed });
    },
  );

  app.delete(
    '/suspension-windows/:id',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'deleteSuspensionWindow',
        tags: ['admin'],
        summary: 'Remove a suspension window (admins); due times of waiting cases are recomputed',
        params: IdParamsSchema,
        response: {
          200: ok(Type.Object({ recomputed: Type.Integer() }, { title: 'SuspensionWindowDeleted' }), 'How many due times were recomputed'),
          ...problems(400, 404),
        },
      },
    },
    async (request) => windows.remove(request.params.id),
  );

  app.post(
    '/admin/timers/run',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'runTimers',
        tags: ['admin'],
        summary: 'Fire due timers now (admins)',
        description:
          'Fires every timer due now, in batches, and answers how many fired; the body may be omitted. Outside ' +
          'production, asOf runs them as if at that instant (history rows and events carry it), to exercise the ' +
          'lifecycle end to end; in production asOf is refused (400).',
        body: AsOfBodySchema,
        response: {
          200: ok(Type.Object({ fired: Type.Integer(), asOf: DateTimeSchema }, { title: 'TimerRunResult' }), 'How many timers fired, and as of when'),
          ...problems(400),
        },
      },
      preValidation: emptyBodyMeansNow,
    },
    async (request) => {
      const asOf = resolveAsOf(request.body.asOf, app.config, app.services.clock);
      const fired = await timers.runDue(asOf);
      return { fired, asOf: asOf.toISOString() };
    },
  );

  app.get(
    '/cases/:id/access-log',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'listCaseAccessLog',
        tags: ['admin'],
        summary: 'Reads of a sensitive case: who, when, which endpoint (admins)',
        params: IdParamsSchema,
        response: {
          200: ok(
            Type.Array(
              Type.Object(
                { at: DateTimeSchema, actorId: Type.String(), actorRole: Type.String(), endpoint: Type.String() },
                { title: 'AccessLogEntry' },
              ),
            ),
            'The reads of the case, oldest first',
          ),
          ...problems(400, 404),
        },
      },
    },
    async (request) => app.services.cases.accessLog(request.params.id),
  );
};

export default adminRoutes;
