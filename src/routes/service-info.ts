import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { problems, ok } from '../schemas/common';
import { KeyParamsSchema } from '../schemas/reference';
import { ContactChannelSchema, PutContactChannelSchema, ServiceInfoSchema } from '../schemas/service-level';

/**
 * Service information: reading it is public (no token); editing the channels is for admins.
 * Registered in the /v1 scope (src/routes/v1/index.ts), whose hook enforces the declarations.
 */
const serviceInfoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { info } = app.serviceLevels;

  app.get(
    '/service-info',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getServiceInfo',
        tags: ['service-info'],
        summary: 'How to reach the service centre, and whether each channel is open now (public)',
        response: { 200: ok(ServiceInfoSchema, 'The contact channels and case-handling hours, and whether each is open now') },
      },
    },
    async () => info.info(),
  );

  app.put(
    '/service-info/channels/:key',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'putContactChannel',
        tags: ['service-info'],
        summary: 'Create or replace a contact channel (admins)',
        params: KeyParamsSchema,
        body: PutContactChannelSchema,
        response: {
          200: ok(ContactChannelSchema, 'The channel, replaced'),
          201: ok(ContactChannelSchema, 'The channel, created'),
          ...problems(400, 415),
        },
      },
    },
    async (request, reply) => {
      const { created, channel } = await info.putChannel(request.params.key, request.body);
      return reply.status(created ? 201 : 200).send(channel);
    },
  );

  app.delete(
    '/service-info/channels/:key',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'deleteContactChannel',
        tags: ['service-info'],
        summary: 'Remove a contact channel (admins)',
        params: KeyParamsSchema,
        response: { 204: ok(Type.Null(), 'Removed'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await info.deleteChannel(request.params.key);
      return reply.status(204).send(null);
    },
  );
};

export default serviceInfoRoutes;
