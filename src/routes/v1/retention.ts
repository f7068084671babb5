import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../domain/errors';
import { requireAdmin } from '../../http/guards';
import { DateTimeSchema, problems } from '../../schemas/common';

const secured = [{ bearerAuth: [] }];

/** Retention on demand: the daily anonymisation sweep, run now. */
const retentionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/admin/retention/run',
    {
      // A retry should sweep again, not replay the earlier count.
      config: { idempotency: false },
      schema: {
        tags: ['admin'],
        summary: 'Anonymise closed cases past their retention now (admins)',
        description:
          "A case closed longer ago than its category's retentionMonths loses requester identity, message bodies, " +
          'attachment contents, details, subject and description; its status history and counts stay. Outside ' +
          'production, asOf runs the sweep as if at that instant.',
        security: secured,
        body: Type.Optional(Type.Object({ asOf: Type.Optional(DateTimeSchema) }, { additionalProperties: false })),
        response: {
          200: Type.Object({ anonymised: Type.Integer(), asOf: DateTimeSchema }),
          ...problems(400, 401, 403, 415),
        },
      },
    },
    async (request) => {
      requireAdmin(request);
      const asOfRaw = request.body?.asOf;
      if (asOfRaw !== undefined && app.config.NODE_ENV === 'production') {
        throw new DomainError('validation-failed', 'asOf is not accepted in production.', {
          errors: [{ in: 'body', path: '/asOf', message: 'not allowed in production' }],
        });
      }
      const asOf = asOfRaw ? new Date(asOfRaw) : app.services.clock.now();
      const anonymised = await app.services.retention.run(asOf);
      return { anonymised, asOf: asOf.toISOString() };
    },
  );
};

export default retentionRoutes;
