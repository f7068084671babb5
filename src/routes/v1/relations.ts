import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { etagOf, expectedVersion } from '../../http/etag';
import { requirePrincipal } from '../../plugins/auth';
import { problems, ok } from '../../schemas/common';
import { CaseSchema, IdParamsSchema } from '../../schemas/case';
import { CaseLinkListSchema, CaseLinkSchema, CreateLinkSchema, LinkParamsSchema, MergeCaseSchema } from '../../schemas/relations';

const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 100, description: 'ETag of the version of the source case the merge is based on (412 when stale)' }),
  ),
});

/** Merges and links between cases (docs/merge-and-links.md): thin handlers over RelationService. */
const relationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { relations } = app.services;

  app.post(
    '/cases/:id/merge',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['cases'],
        operationId: 'mergeCase',
        summary: 'Merge the case into another (staff): the target takes its messages and files, this one closes',
        description:
          'Both cases must be visible to and changeable by the caller (404 / 403), neither closed nor anonymised (409 case-closed), ' +
          'of the same requester and not a sensitive case into a less protected one (409 conflict with `reason`). ' +
          'Messages and files move with their authors, times and visibility; the source closes (CLOSED) and shows `mergedInto`; ' +
          'both get a history row naming the other and a `case.merged` event.',
        params: IdParamsSchema,
        headers: IfMatchHeaders,
        body: MergeCaseSchema,
        response: { 200: ok(CaseSchema, 'The source case, merged and closed'), ...problems(400, 404, 409, 412, 415) },
      },
    },
    async (request, reply) => {
      const c = await relations.merge(requirePrincipal(request), request.params.id, request.body.into, expectedVersion(request.headers['if-match']));
      return reply.header('etag', etagOf(c.version)).send(c);
    },
  );

  app.get(
    '/cases/:id/links',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['cases'],
        operationId: 'listCaseLinks',
        summary: 'Links of the case to other cases the caller may see',
        description: 'Links to cases the caller may not see are left out, so a requester sees only links between their own cases.',
        params: IdParamsSchema,
        response: { 200: ok(CaseLinkListSchema, 'The links of the case the caller may see'), ...problems(400, 404) },
      },
    },
    async (request) => relations.links(requirePrincipal(request), request.params.id),
  );

  app.post(
    '/cases/:id/links',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['cases'],
        operationId: 'createCaseLink',
        summary: 'Link the case to another, both ways (staff)',
        description:
          'Both cases must be visible to and changeable by the caller; closed cases may be linked, anonymised ones not. ' +
          'Writes a history row and a `case.linked` event on both. 409 when the two are already linked.',
        params: IdParamsSchema,
        body: CreateLinkSchema,
        response: { 201: ok(CaseLinkSchema, 'The link, as seen from this case'), ...problems(400, 404, 409, 415) },
      },
    },
    async (request, reply) => {
      const link = await relations.link(requirePrincipal(request), request.params.id, request.body);
      return reply.status(201).send(link);
    },
  );

  app.delete(
    '/cases/:id/links/:linkedCaseId',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['cases'],
        operationId: 'deleteCaseLink',
        summary: 'Remove the link between two cases, both ways (staff)',
        description: 'Writes a history row and a `case.unlinked` event on both. 404 when the cases are not linked.',
        params: LinkParamsSchema,
        response: { 204: Type.Null({ description: 'Unlinked' }), ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      await relations.unlink(requirePrincipal(request), request.params.id, request.params.linkedCaseId);
      return reply.status(204).send(null);
    },
  );
};

export default relationRoutes;
