import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AsOfBodySchema, emptyBodyMeansNow, resolveAsOf } from '../../http/as-of';
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
        body: AsOfBodySchema,
        response: {
          200: Type.Object({ anonymised: Type.Integer(), asOf: DateTimeSchema }),
          ...problems(400, 401, 403, 415),
        },
      },
      preValidation: emptyBodyMeansNow,
    },
    async (request) => {
      requireAdmin(request);
      const asOf = resolveAsOf(request.body.asOf, app.config, app.services.clock);
      const anonymised = await app.services.retention.run(asOf);
      return { anonymised, asOf: asOf.toISOString() };
    },
  );
};

export default retentionRoutes;
