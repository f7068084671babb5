import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal } from '../../plugins/auth';
import { ok, problems } from '../../schemas/common';
import {
  PutReplyTemplateSchema,
  ReplyTemplateKeyParamsSchema,
  ReplyTemplateListQuerySchema,
  ReplyTemplateSchema,
} from '../../schemas/reply-templates';

/** Prepared replies: staff read them to send them (`templateKey` on a message), admins keep them. docs/reply-templates.md */
const replyTemplateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { replyTemplates } = app.services;

  app.get(
    '/reply-templates',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['cases'],
        operationId: 'listReplyTemplates',
        summary: 'Reply templates, all or those a case of one category may use (staff)',
        querystring: ReplyTemplateListQuerySchema,
        response: { 200: ok(Type.Array(ReplyTemplateSchema), 'The templates, by key'), ...problems(400) },
      },
    },
    async (request) => replyTemplates.list(request.query.category),
  );

  app.get(
    '/reply-templates/:key',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['cases'],
        operationId: 'getReplyTemplate',
        summary: 'One reply template (staff)',
        params: ReplyTemplateKeyParamsSchema,
        response: { 200: ok(ReplyTemplateSchema, 'The template'), ...problems(400, 404) },
      },
    },
    async (request) => replyTemplates.get(request.params.key),
  );

  app.put(
    '/reply-templates/:key',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'putReplyTemplate',
        summary: 'Create or replace a reply template (admins); unknown {{placeholders}} and categories are refused',
        params: ReplyTemplateKeyParamsSchema,
        body: PutReplyTemplateSchema,
        response: {
          200: ok(ReplyTemplateSchema, 'Replaced'),
          201: ok(ReplyTemplateSchema, 'Created'),
          ...problems(400, 415),
        },
      },
    },
    async (request, reply) => {
      const { created, template } = await replyTemplates.put(request.params.key, request.body, requirePrincipal(request).id);
      return reply.status(created ? 201 : 200).send(template);
    },
  );

  app.delete(
    '/reply-templates/:key',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'deleteReplyTemplate',
        summary: 'Delete a reply template (admins); messages sent with it keep their text',
        params: ReplyTemplateKeyParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await replyTemplates.delete(request.params.key);
      return reply.status(204).send(null);
    },
  );
};

export default replyTemplateRoutes;
