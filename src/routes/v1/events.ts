import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal } from '../../plugins/auth';
import { problems } from '../../schemas/common';
import { EventFeedQuerySchema, EventFeedSchema } from '../../schemas/integration';

/** The events feed for consumers that pull (docs/integration.md). */
const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { events } = app.integration;

  app.get(
    '/events',
    {
      config: { access: 'staff' },
      // The items are outbox rows published as they are (toEventDto builds exactly the documented
      // fields). The document types them per event type (src/schemas/events.ts); a schema-driven
      // serializer would have to pick a branch of that union per item, and a row the union does not
      // describe would become a 500 instead of being served.
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        tags: ['integration'],
        operationId: 'listEvents',
        summary: 'Events after a position, oldest first (the transactional outbox)',
        description:
          'Positions increase monotonically; an event never appears below a position already served, so a consumer ' +
          'keeps nextAfter and asks again. Events of cases the caller may not see (sensitive categories) are skipped. ' +
          'At least once: consumers dedupe on id.',
        querystring: EventFeedQuerySchema,
        response: { 200: EventFeedSchema, ...problems(400) },
      },
    },
    async (request) => events.feed(requirePrincipal(request), BigInt(request.query.after ?? '0'), request.query.limit ?? 100),
  );
};

export default eventRoutes;
