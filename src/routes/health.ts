import { readdirSync } from 'node:fs';
import { MIGRATIONS_DIR } from '../paths';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../domain/errors';
import { pgQuery } from '../db/query';
import { appliedMigrations } from '../repositories/health-repository';
import { problems } from '../schemas/common';


/** Health endpoints for orchestrators: no authentication, no rate limit. */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const expected = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  app.get(
    '/health/live',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'The database is reachable and every migration is applied',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), migrations: Type.Integer() }),
          ...problems(503),
        },
      },
    },
    async (request) => {
      let pending: string[];
      try {
        const applied = new Set(await appliedMigrations(pgQuery(app.pool)));
        pending = expected.filter((m) => !applied.has(m));
      } catch (err) {
        request.log.warn({ err: { message: (err as Error).message } }, 'readiness check failed');
        throw new DomainError('service-unavailable', 'The database is not reachable.');
      }
      if (pending.length > 0) {
        throw new DomainError('service-unavailable', `${pending.length} migration(s) not applied.`, { pending });
      }
      return { status: 'ready' as const, migrations: expected.length };
    },
  );
};

export default healthRoutes;
