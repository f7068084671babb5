import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAdmin } from '../../http/guards';
import { problems } from '../../schemas/common';
import { PutStaffMemberSchema, StaffMemberSchema, SubjectParamsSchema } from '../../schemas/staff';

const secured = [{ bearerAuth: [] }];
const ROLE_SOURCE_NOTE =
  'Consulted only with ROLE_SOURCE=database; then token role claims are ignored and anyone without a row is a requester.';

/** Staff members: roles and team memberships kept by the service itself (admins). */
const staffRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { staff } = app.services;

  app.get(
    '/staff',
    {
      schema: {
        tags: ['admin'],
        summary: 'Staff members and their roles and teams (admins)',
        description: ROLE_SOURCE_NOTE,
        security: secured,
        response: { 200: Type.Array(StaffMemberSchema), ...problems(401, 403) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return staff.list();
    },
  );

  app.get(
    '/staff/:subject',
    {
      schema: {
        tags: ['admin'],
        summary: 'One staff member (admins)',
        security: secured,
        params: SubjectParamsSchema,
        response: { 200: StaffMemberSchema, ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      requireAdmin(request);
      return staff.get(request.params.subject);
    },
  );

  app.put(
    '/staff/:subject',
    {
      schema: {
        tags: ['admin'],
        summary: 'Grant roles and teams to a subject, replacing what it had (admins)',
        description: `${ROLE_SOURCE_NOTE} Takes effect on the subject's next request.`,
        security: secured,
        params: SubjectParamsSchema,
        body: PutStaffMemberSchema,
        response: { 200: StaffMemberSchema, 201: StaffMemberSchema, ...problems(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      const p = requireAdmin(request);
      const { created, member } = await staff.put(request.params.subject, request.body, p.id);
      if (created) void reply.header('location', `/v1/staff/${encodeURIComponent(member.subject)}`);
      return reply.status(created ? 201 : 200).send(member);
    },
  );

  app.delete(
    '/staff/:subject',
    {
      schema: {
        tags: ['admin'],
        summary: 'Remove a staff member: they are a requester from their next request (admins)',
        security: secured,
        params: SubjectParamsSchema,
        response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      await staff.remove(request.params.subject);
      return reply.status(204).send(null);
    },
  );
};

export default staffRoutes;
