import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AsOfBodySchema, emptyBodyMeansNow, resolveAsOf } from '../../http/as-of';
import { DateTimeSchema, problems, ok } from '../../schemas/common';

/** Retention on demand: the daily anonymisation sweep, run now. */
const retentionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/admin/retention/run',
    {
      // A retry should sweep again, not replay the earlier count.
      config: { access: 'admin', idempotency: false },
      schema: {
        operationId: 'runRetention',
        tags: ['admin'],
        summary: 'Anonymise closed cases past their retention now (admins)',
        description:
          "A case closed longer ago than its category's retentionMonths loses requester identity, message bodies, " +
          'attachment contents, details, subject and description; its status history and counts stay. Outside ' +
          'production, asOf runs the sweep as if at that instant.',
        body: AsOfBodySchema,
        response: {
          200: ok(
            Type.Object({ anonymised: Type.Integer(), asOf: DateTimeSchema }, { title: 'RetentionRunResult' }),
            'How many cases were anonymised, and as of when',
          ),
          ...problems(400, 415),
        },
      },
      preValidation: emptyBodyMeansNow,
    },
    async (request) => {
      const asOf = resolveAsOf(request.body.asOf, app.config, app.services.clock);
      const anonymised = await app.services.retention.run(asOf);
      return { anonymised, asOf: asOf.toISOString() };
    },
  );
};

export default retentionRoutes;
