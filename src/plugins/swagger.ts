import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { version } from '../../package.json';
import { openapiTransform, optionalBodies } from '../http/openapi-transform';
import { componentize } from '../http/openapi-components';
import { webhooksSection } from '../http/openapi-webhooks';
import { contractResponses } from '../http/openapi-problems';

/** OpenAPI 3.1 document generated from the route schemas; Swagger UI at /docs. */
async function swaggerPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Saksflyt',
        version,
        description:
          'Case management for the payroll & HR service centre (Tjenestesenteret). Errors are RFC 9457 ' +
          'application/problem+json with a stable `code`.',
      },
      servers: [{ url: '/' }],
      tags: [
        { name: 'health', description: 'Liveness and readiness for operations' },
        { name: 'reference', description: 'Statuses, categories, teams' },
        { name: 'cases', description: 'Cases, messages, transitions, history' },
        { name: 'admin', description: 'Administration: suspension windows, timers' },
        { name: 'integration', description: 'The events feed for consumers that pull' },
        { name: 'webhooks', description: 'Signed event deliveries to subscribed URLs (admins)' },
        { name: 'service-levels', description: 'Business calendar, service-level reports' },
        { name: 'service-info', description: 'Contact channels and opening hours (public)' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'OIDC (Feide) access token, a signed JWT verified as RFC8725 (JWT best current practices) asks: ' +
              'asymmetric algorithms only, issuer, audience and expiry checked',
          },
        },
      },
    },
    hideUntagged: true,
    transform: openapiTransform,
    transformObject: (documentObject) => {
      const doc = (documentObject as { openapiObject: Record<string, unknown> }).openapiObject;
      optionalBodies(doc);
      // Relative: the host serving this document, whichever environment it is. x-internal is the
      // OWASP ruleset's inventory marker (the API is for the university's own systems).
      doc.servers = [{ url: '/', description: 'This deployment (local, staging or production: the host serving this document)', 'x-internal': true }];
      const named = contractResponses(componentize(doc));
      const schemas = (named.components as { schemas: Record<string, unknown> }).schemas;
      // An app without the events feed (a test's partial app) has no event components to point at.
      const out: Record<string, unknown> = 'Event' in schemas ? { ...named, webhooks: webhooksSection(schemas) } : named;
      return out;
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default fp(swaggerPlugin, { name: 'swagger', fastify: '5.x' });
