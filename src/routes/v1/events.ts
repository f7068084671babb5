import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../domain/errors';
import type { Principal } from '../../domain/roles';
import { requirePrincipal } from '../../plugins/auth';
import { problems } from '../../schemas/common';
import { EventFeedQuerySchema, EventFeedSchema } from '../../schemas/integration';

const secured = [{ bearerAuth: [] }];

/** Staff who handle cases, and integrations granted a cases scope, read the feed. */
function requireFeedReader(request: FastifyRequest): Principal {
  const p = requirePrincipal(request);
  if (p.roles.includes('admin') || p.roles.includes('operator')) return p;
  if (p.roles.includes('integration') && (p.scopes.includes('cases:read') || p.scopes.includes('cases:write'))) return p;
  throw new DomainError('forbidden', 'The events feed is for staff and for integrations with the cases:read scope.');
}

/** The events feed for consumers that pull (docs/integration.md). */
const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { events } = app.integration;

  app.get(
    '/events',
    {
      schema: {
        tags: ['integration'],
        operationId: 'listEvents',
        summary: 'Events after a position, oldest first (the transactional outbox)',
        description:
          'Positions increase monotonically; an event never appears below a position already served, so a consumer ' +
          'keeps nextAfter and asks again. Events of cases the caller may not see (sensitive categories) are skipped. ' +
          'At least once: consumers dedupe on id.',
        security: secured,
        querystring: EventFeedQuerySchema,
        response: { 200: EventFeedSchema, ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const p = requireFeedReader(request);
      return events.feed(p, BigInt(request.query.after ?? '0'), request.query.limit ?? 100);
    },
  );
};

export default eventRoutes;
