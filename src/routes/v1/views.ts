import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal } from '../../plugins/auth';
import { IdParamsSchema } from '../../schemas/case';
import { problems, ok } from '../../schemas/common';
import { CreateViewSchema, QueueCountsSchema, SavedViewSchema, TeamKeyParamsSchema, UpdateViewSchema, ViewListSchema } from '../../schemas/view';

/** Queues: saved views of the case list (the caller's own) and a team's queue counts. docs/queues.md. */
const viewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { views } = app.services;

  app.get(
    '/views',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listViews',
        tags: ['queues'],
        summary: "The caller's saved views of the case list",
        response: { 200: ok(ViewListSchema, "The caller's saved views, by name") },
      },
    },
    async (request) => views.list(requirePrincipal(request)),
  );

  app.post(
    '/views',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'createView',
        tags: ['queues'],
        summary: 'Save a view: a name and a filter of the list query',
        description: 'At most 50 views per user; names are unique per user (409 otherwise). Only staff filter by priority or tag.',
        body: CreateViewSchema,
        response: { 201: ok(SavedViewSchema, 'The saved view'), ...problems(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const v = await views.create(requirePrincipal(request), request.body);
      return reply.status(201).header('location', `/v1/views/${v.id}`).send(v);
    },
  );

  app.get(
    '/views/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getView',
        tags: ['queues'],
        summary: "One of the caller's views (another user's is 404)",
        params: IdParamsSchema,
        response: { 200: ok(SavedViewSchema, 'The view'), ...problems(400, 404) },
      },
    },
    async (request) => views.get(requirePrincipal(request), request.params.id),
  );

  app.patch(
    '/views/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'updateView',
        tags: ['queues'],
        summary: "Rename a view or replace its filter (the caller's own)",
        params: IdParamsSchema,
        body: UpdateViewSchema,
        response: { 200: ok(SavedViewSchema, 'The view as it is now'), ...problems(400, 404, 409, 413, 415) },
      },
    },
    async (request) => views.update(requirePrincipal(request), request.params.id, request.body),
  );

  app.delete(
    '/views/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'deleteView',
        tags: ['queues'],
        summary: "Delete one of the caller's views",
        params: IdParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await views.remove(requirePrincipal(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/teams/:key/queue-counts',
    {
      config: { access: 'staff' },
      schema: {
        operationId: 'getQueueCounts',
        tags: ['queues'],
        summary: "Counts of a team's cases per status, unassigned and breached (the team's operators and admins)",
        params: TeamKeyParamsSchema,
        response: { 200: ok(QueueCountsSchema, "The team's queue counts"), ...problems(400, 404) },
      },
    },
    async (request) => views.queueCounts(requirePrincipal(request), request.params.key),
  );
};

export default viewRoutes;
