import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AsOfBodySchema, emptyBodyMeansNow, resolveAsOf } from '../../http/as-of';
import { requireAdmin } from '../../http/guards';
import { IdParamsSchema } from '../../schemas/case';
import { problems } from '../../schemas/common';
import {
  CreateWebhookSchema,
  DeliveriesQuerySchema,
  DeliveryListSchema,
  PatchWebhookSchema,
  RunWebhooksResultSchema,
  WebhookCreatedSchema,
  WebhookSchema,
} from '../../schemas/integration';

const secured = [{ bearerAuth: [] }];

/** Webhook subscriptions (admins), their delivery log, and a delivery run on demand. */
const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { webhooks } = app.integration;

  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'createWebhook',
        summary: 'Subscribe a URL to events (admins)',
        description:
          'The subscription receives events written from now on, signed with its secret (docs/webhooks.md). Without ' +
          'a secret one is generated. The secret is answered only here.',
        security: secured,
        body: CreateWebhookSchema,
        response: { 201: WebhookCreatedSchema, ...problems(400, 401, 403, 415) },
      },
    },
    async (request, reply) => {
      const p = requireAdmin(request);
      const created = await webhooks.create(p.id, request.body);
      return reply.status(201).header('location', `/v1/webhooks/${created.id}`).send(created);
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhooks',
        summary: 'Webhook subscriptions (admins)',
        security: secured,
        response: { 200: Type.Array(WebhookSchema), ...problems(401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return webhooks.list();
    },
  );

  app.get(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'getWebhook',
        summary: 'One webhook subscription (admins)',
        security: secured,
        params: IdParamsSchema,
        response: { 200: WebhookSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return webhooks.get(request.params.id);
    },
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'updateWebhook',
        summary: 'Change, pause or re-enable a subscription (admins)',
        description: 'active: true re-enables a disabled subscription; it then receives what it missed, in order.',
        security: secured,
        params: IdParamsSchema,
        body: PatchWebhookSchema,
        response: { 200: WebhookSchema, ...problems(400, 401, 403, 404, 415) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return webhooks.update(request.params.id, request.body);
    },
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'deleteWebhook',
        summary: 'Remove a subscription and its delivery log (admins)',
        security: secured,
        params: IdParamsSchema,
        response: { 204: Type.Null({ description: 'Removed' }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      await webhooks.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log of a subscription, newest first (admins)',
        security: secured,
        params: IdParamsSchema,
        querystring: DeliveriesQuerySchema,
        response: { 200: DeliveryListSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return webhooks.deliveries(request.params.id, request.query);
    },
  );

  app.post(
    '/admin/webhooks/run',
    {
      config: { idempotency: false },
      schema: {
        tags: ['webhooks'],
        operationId: 'runWebhooks',
        summary: 'Queue new events and send due deliveries now (admins)',
        description: 'Outside production, asOf runs as if at that instant (due retries, signature timestamps).',
        security: secured,
        body: AsOfBodySchema,
        response: { 200: RunWebhooksResultSchema, ...problems(400, 401, 403) },
      },
      preValidation: emptyBodyMeansNow,
    },
    async (request) => {
      requireAdmin(request);
      const asOf = resolveAsOf(request.body.asOf, app.config, app.services.clock);
      return { ...(await webhooks.run(asOf)), asOf: asOf.toISOString() };
    },
  );
};

export default webhookRoutes;
