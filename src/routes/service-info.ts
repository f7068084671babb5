import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireAdmin } from '../http/guards';
import { authenticate } from '../plugins/auth';
import { problems } from '../schemas/common';
import { KeyParamsSchema } from '../schemas/reference';
import { ContactChannelSchema, PutContactChannelSchema, ServiceInfoSchema } from '../schemas/service-level';

/**
 * Service information: public (no token), so it is registered beside the /v1 routes rather than
 * under their authentication hook; the admin edits authenticate per route.
 */
const serviceInfoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { info } = app.serviceLevels;

  app.get(
    '/service-info',
    {
      schema: {
        tags: ['service-info'],
        summary: 'How to reach the service centre, and whether each channel is open now (public)',
        response: { 200: ServiceInfoSchema },
      },
    },
    async () => info.info(),
  );

  app.put(
    '/service-info/channels/:key',
    {
      onRequest: authenticate,
      schema: {
        tags: ['service-info'],
        summary: 'Create or replace a contact channel (admins)',
        security: [{ bearerAuth: [] }],
        params: KeyParamsSchema,
        body: PutContactChannelSchema,
        response: { 200: ContactChannelSchema, 201: ContactChannelSchema, ...problems(400, 401, 403, 415) },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      const { created, channel } = await info.putChannel(request.params.key, request.body);
      return reply.status(created ? 201 : 200).send(channel);
    },
  );

  app.delete(
    '/service-info/channels/:key',
    {
      onRequest: authenticate,
      schema: {
        tags: ['service-info'],
        summary: 'Remove a contact channel (admins)',
        security: [{ bearerAuth: [] }],
        params: KeyParamsSchema,
        response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      await info.deleteChannel(request.params.key);
      return reply.status(204).send(null);
    },
  );
};

export default serviceInfoRoutes;
