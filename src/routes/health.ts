import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../domain/errors';
import { problems, ok } from '../schemas/common';

/** Health endpoints for orchestrators: no authentication, no rate limit. */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { health } = app.services;

  app.get(
    '/health/live',
    {
      config: { rateLimit: false },
      schema: {
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: ok(Type.Object({ status: Type.Literal('ok') }, { title: 'Liveness' }), 'The process is up') },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { rateLimit: false },
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'The database is reachable and every migration is applied',
        response: {
          200: ok(
            Type.Object({ status: Type.Literal('ready'), migrations: Type.Integer() }, { title: 'Readiness' }),
            'The database is reachable and every migration is applied',
          ),
          ...problems(503),
        },
      },
    },
    async (request) => {
      let state: { expected: number; pending: string[] };
      try {
        state = await health.migrations();
      } catch (err) {
        request.log.warn({ err: { message: (err as Error).message } }, 'readiness check failed');
        throw new DomainError('service-unavailable', 'The database is not reachable.');
      }
      const { pending } = state;
      if (pending.length > 0) {
        throw new DomainError('service-unavailable', `${pending.length} migration(s) not applied.`, { pending });
      }
      return { status: 'ready' as const, migrations: state.expected };
    },
  );
};

export default healthRoutes;
