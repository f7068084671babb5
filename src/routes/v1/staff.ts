import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems, ok } from '../../schemas/common';
import { PersonSchema, PutPersonSchema, PutStaffMemberSchema, StaffMemberSchema, SubjectParamsSchema } from '../../schemas/staff';
import { requirePrincipal } from '../../plugins/auth';

const ROLE_SOURCE_NOTE = 'Consulted only with ROLE_SOURCE=database; then token role claims are ignored and anyone without a row is a requester.';

/** Staff members: roles and team memberships kept by the service itself (admins). */
const staffRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { staff, people } = app.services;

  app.get(
    '/staff',
    {
      config: { access: 'admin-person' },
      schema: {
        operationId: 'listStaff',
        tags: ['admin'],
        summary: 'Staff members and their roles and teams (admins)',
        description: ROLE_SOURCE_NOTE,
        response: { 200: ok(Type.Array(StaffMemberSchema), 'The staff members') },
      },
    },
    async () => staff.list(),
  );

  app.get(
    '/staff/:subject',
    {
      config: { access: 'admin-person' },
      schema: {
        operationId: 'getStaffMember',
        tags: ['admin'],
        summary: 'One staff member (admins)',
        params: SubjectParamsSchema,
        response: { 200: ok(StaffMemberSchema, 'The staff member'), ...problems(400, 404) },
      },
    },
    async (request) => staff.get(request.params.subject),
  );

  app.put(
    '/staff/:subject',
    {
      config: { access: 'admin-person', responseHeaders: ['location'] },
      schema: {
        operationId: 'putStaffMember',
        tags: ['admin'],
        summary: 'Grant roles and teams to a subject, replacing what it had (admins)',
        description: `${ROLE_SOURCE_NOTE} Takes effect on the subject's next request.`,
        params: SubjectParamsSchema,
        body: PutStaffMemberSchema,
        response: {
          200: ok(StaffMemberSchema, 'The staff member, replaced'),
          201: ok(StaffMemberSchema, 'The staff member, created'),
          ...problems(400, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const { created, member } = await staff.put(request.params.subject, request.body, p.id);
      if (created) void reply.header('location', `/v1/staff/${encodeURIComponent(member.subject)}`);
      return reply.status(created ? 201 : 200).send(member);
    },
  );

  app.delete(
    '/staff/:subject',
    {
      config: { access: 'admin-person' },
      schema: {
        operationId: 'deleteStaffMember',
        tags: ['admin'],
        summary: 'Remove a staff member: they are a requester from their next request (admins)',
        params: SubjectParamsSchema,
        response: { 204: ok(Type.Null(), 'Removed'), ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      await staff.remove(request.params.subject);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/people/:subject',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'getPerson',
        tags: ['admin'],
        summary: 'A person the service knows: name, employee number, e-mail (admins)',
        params: SubjectParamsSchema,
        response: { 200: ok(PersonSchema, 'The person'), ...problems(400, 404) },
      },
    },
    async (request) => people.get(request.params.subject),
  );

  app.put(
    '/people/:subject',
    {
      config: { access: 'admin', responseHeaders: ['location'] },
      schema: {
        operationId: 'putPerson',
        tags: ['admin'],
        summary: 'Record a person, e.g. an employee known by number before their first sign-in (admins)',
        description:
          'People are recorded when they sign in; this records one ahead, so operators can file for them by employee number. Cases waiting for the number are tied to the person. A number another person holds is 409.',
        params: SubjectParamsSchema,
        body: PutPersonSchema,
        response: { 200: ok(PersonSchema, 'The person, replaced'), 201: ok(PersonSchema, 'The person, created'), ...problems(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { created, person } = await people.put(request.params.subject, request.body);
      if (created) void reply.header('location', `/v1/people/${encodeURIComponent(person.subject)}`);
      return reply.status(created ? 201 : 200).send(person);
    },
  );
};

export default staffRoutes;
