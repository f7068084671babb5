import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AsOfBodySchema, emptyBodyMeansNow, resolveAsOf } from '../../http/as-of';
import { IdParamsSchema } from '../../schemas/case';
import { problems, ok } from '../../schemas/common';
import { requirePrincipal } from '../../plugins/auth';
import {
  CreateWebhookSchema,
  DeliveriesQuerySchema,
  DeliveryListSchema,
  PatchWebhookSchema,
  RunWebhooksResultSchema,
  WebhookCreatedSchema,
  WebhookSchema,
} from '../../schemas/integration';

/** Webhook subscriptions (admins), their delivery log, and a delivery run on demand. */
const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { webhooks } = app.integration;

  app.post(
    '/webhooks',
    {
      config: { access: 'admin', responseHeaders: ['location'] },
      schema: {
        tags: ['webhooks'],
        operationId: 'createWebhook',
        summary: 'Subscribe a URL to events (admins)',
        description:
          'The subscription receives events written from now on, signed with its secret (docs/webhooks.md). Without ' +
          'a secret one is generated. The secret is answered only here. Events of sensitive categories carry ids and ' +
          'status only unless includeSensitive is set, which needs an administrator signed in as a person or a client ' +
          'granted cases:read:sensitive (403 otherwise).',
        body: CreateWebhookSchema,
        response: { 201: ok(WebhookCreatedSchema, 'The subscription, with its signing secret (shown only here)'), ...problems(400, 415) },
      },
    },
    async (request, reply) => {
      const created = await webhooks.create(requirePrincipal(request), request.body);
      return reply.status(201).header('location', `/v1/webhooks/${created.id}`).send(created);
    },
  );

  app.get(
    '/webhooks',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhooks',
        summary: 'Webhook subscriptions (admins)',
        response: { 200: ok(Type.Array(WebhookSchema), 'The subscriptions') },
      },
    },
    async () => webhooks.list(),
  );

  app.get(
    '/webhooks/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['webhooks'],
        operationId: 'getWebhook',
        summary: 'One webhook subscription (admins)',
        params: IdParamsSchema,
        response: { 200: ok(WebhookSchema, 'The subscription'), ...problems(400, 404) },
      },
    },
    async (request) => webhooks.get(request.params.id),
  );

  app.patch(
    '/webhooks/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['webhooks'],
        operationId: 'updateWebhook',
        summary: 'Change, pause or re-enable a subscription (admins)',
        description:
          'active: true re-enables a disabled subscription; it then receives what it missed, in order. A subscription ' +
          'with includeSensitive is changed only by whoever may set it (403 otherwise).',
        params: IdParamsSchema,
        body: PatchWebhookSchema,
        response: { 200: ok(WebhookSchema, 'The subscription as changed'), ...problems(400, 404, 415) },
      },
    },
    async (request) => webhooks.update(requirePrincipal(request), request.params.id, request.body),
  );

  app.delete(
    '/webhooks/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['webhooks'],
        operationId: 'deleteWebhook',
        summary: 'Remove a subscription and its delivery log (admins)',
        params: IdParamsSchema,
        response: { 204: Type.Null({ description: 'Removed' }), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['webhooks'],
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log of a subscription, newest first (admins)',
        params: IdParamsSchema,
        querystring: DeliveriesQuerySchema,
        response: { 200: ok(DeliveryListSchema, 'A page of deliveries, newest first'), ...problems(400, 404) },
      },
    },
    async (request) => webhooks.deliveries(request.params.id, request.query),
  );

  app.post(
    '/admin/webhooks/run',
    {
      config: { access: 'admin', idempotency: false },
      schema: {
        tags: ['webhooks'],
        operationId: 'runWebhooks',
        summary: 'Queue new events and send due deliveries now (admins)',
        description: 'Outside production, asOf runs as if at that instant (due retries, signature timestamps).',
        body: AsOfBodySchema,
        response: { 200: ok(RunWebhooksResultSchema, 'What the run queued, sent and disabled'), ...problems(400) },
      },
      preValidation: emptyBodyMeansNow,
    },
    async (request) => {
      const asOf = resolveAsOf(request.body.asOf, app.config, app.services.clock);
      return { ...(await webhooks.run(asOf)), asOf: asOf.toISOString() };
    },
  );
};

export default webhookRoutes;
