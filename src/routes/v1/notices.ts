import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ACCESS_LEVELS } from '../../domain/access';
import { DomainError } from '../../domain/errors';
import { requirePrincipal } from '../../plugins/auth';
import { problems, ok } from '../../schemas/common';
import { ListNoticesQuerySchema, NoticeIdParamsSchema, NoticeInputSchema, NoticeSchema } from '../../schemas/notices';

/** Notices and FAQ links shown before filing (docs/reference-data.md "Notices"). */
const noticeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { notices, reference } = app.services;

  app.get(
    '/notices',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['reference'],
        operationId: 'listNotices',
        summary: 'Notices and FAQ links active now, optionally for one category',
        description:
          'With `category`, the notices of that category and those for every category. Administrators may ask for all notices, also inactive ones, with `includeInactive=true`; anyone else is refused 403.',
        querystring: ListNoticesQuerySchema,
        response: {
          200: Type.Array(NoticeSchema, { description: 'The notices, in display order' }),
          ...problems(400, 403, 404),
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { category, includeInactive } = request.query;
      if (includeInactive && !ACCESS_LEVELS.admin.allows(p)) {
        throw new DomainError('forbidden', 'Only administrators list inactive notices.');
      }
      // An unknown category (or one a requester is not offered) is a 404, as GET /v1/categories/{key}.
      if (category !== undefined) await reference.category(category, ACCESS_LEVELS.staff.allows(p));
      return notices.list({ category, includeInactive });
    },
  );

  app.post(
    '/notices',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['reference'],
        operationId: 'createNotice',
        summary: 'Add a notice (admins)',
        body: NoticeInputSchema,
        response: { 201: ok(NoticeSchema, 'The notice as created'), ...problems(400, 415) },
      },
    },
    async (request, reply) => {
      const notice = await notices.create(request.body);
      return reply.status(201).header('location', `/v1/notices/${notice.id}`).send(notice);
    },
  );

  app.get(
    '/notices/:id',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['reference'],
        operationId: 'getNotice',
        summary: 'One notice; one outside its active period only for administrators',
        params: NoticeIdParamsSchema,
        response: { 200: ok(NoticeSchema, 'The notice'), ...problems(400, 404) },
      },
    },
    async (request) => notices.get(request.params.id, ACCESS_LEVELS.admin.allows(requirePrincipal(request))),
  );

  app.put(
    '/notices/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['reference'],
        operationId: 'updateNotice',
        summary: 'Replace a notice (admins)',
        params: NoticeIdParamsSchema,
        body: NoticeInputSchema,
        response: { 200: ok(NoticeSchema, 'The notice as replaced'), ...problems(400, 404, 415) },
      },
    },
    async (request) => notices.replace(request.params.id, request.body),
  );

  app.delete(
    '/notices/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['reference'],
        operationId: 'deleteNotice',
        summary: 'Remove a notice (admins)',
        params: NoticeIdParamsSchema,
        response: { 204: Type.Null({ description: 'Removed' }), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await notices.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );
};

export default noticeRoutes;
