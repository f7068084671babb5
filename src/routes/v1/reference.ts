import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { STATUSES, STATUS_INFO } from '../../domain/statuses';
import { TIMED_TRANSITIONS, TRANSITION_GRAPH } from '../../domain/transitions';
import { ACCESS_LEVELS } from '../../domain/access';
import { requirePrincipal } from '../../plugins/auth';
import { ok, problems } from '../../schemas/common';
import {
  CategoryDetailSchema,
  CategorySchema,
  KeyParamsSchema,
  PutCategorySchema,
  PutTeamSchema,
  StatusEntrySchema,
  TeamSchema,
} from '../../schemas/reference';
import { TeamMemberSchema } from '../../schemas/staff';

/** Statuses (from the graph the service enforces), categories and teams. */
const referenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { reference, people } = app.services;
  const days = { waitingDays: app.config.WAITING_DAYS, completedDays: app.config.COMPLETED_DAYS };

  app.get(
    '/statuses',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listStatuses',
        tags: ['reference'],
        summary: 'The nine statuses and, per actor, the statuses each may move to',
        response: { 200: ok(Type.Array(StatusEntrySchema), 'The statuses, each with the statuses each actor may move a case to') },
      },
    },
    async () =>
      STATUSES.map((code) => {
        const timed = TIMED_TRANSITIONS[code];
        return {
          code,
          label: STATUS_INFO[code].label,
          description: STATUS_INFO[code].description,
          localizedDescription: { nb: STATUS_INFO[code].descriptionNb, en: STATUS_INFO[code].description },
          transitions: {
            operator: [...TRANSITION_GRAPH.operator[code]],
            requester: [...TRANSITION_GRAPH.requester[code]],
            system: [...TRANSITION_GRAPH.system[code]],
          },
          autoTransition: timed ? { to: timed.to, afterDays: days[timed.periodKey], suspendable: timed.suspendable } : null,
        };
      }),
  );

  app.get(
    '/categories',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listCategories',
        tags: ['reference'],
        summary: 'Categories (contact forms) with their forms as JSON Schema',
        description:
          'Staff (operators, administrators, integrations with a case grant) see inactive categories too, with `active: false`; others only those they may file. `handledBy: "leader"` marks a form that goes to the leader, with `guidance` on where.',
        response: { 200: ok(Type.Array(CategorySchema), 'The categories, in display order') },
      },
    },
    async (request) => reference.categories(ACCESS_LEVELS.staff.allows(requirePrincipal(request))),
  );

  app.get(
    '/categories/:key',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getCategory',
        tags: ['reference'],
        summary: 'One category, with the notices active now that concern it',
        description: 'An inactive category is 404 for everyone but staff.',
        params: KeyParamsSchema,
        response: { 200: ok(CategoryDetailSchema, 'The category, with the notices active for it now'), ...problems(400, 404) },
      },
    },
    async (request) => reference.category(request.params.key, ACCESS_LEVELS.staff.allows(requirePrincipal(request))),
  );

  app.put(
    '/categories/:key',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'putCategory',
        tags: ['reference'],
        summary: 'Create or replace a category (admins)',
        params: KeyParamsSchema,
        body: PutCategorySchema,
        response: { 200: ok(CategorySchema, 'The category, replaced'), 201: ok(CategorySchema, 'The category, created'), ...problems(400, 415) },
      },
    },
    async (request, reply) => {
      const { created, category } = await reference.putCategory(request.params.key, request.body);
      return reply.status(created ? 201 : 200).send(category);
    },
  );

  app.get(
    '/teams',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'listTeams',
        tags: ['reference'],
        summary: 'Specialist teams',
        response: { 200: ok(Type.Array(TeamSchema), 'The teams') },
      },
    },
    async () => reference.teams(),
  );

  app.put(
    '/teams/:key',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'putTeam',
        tags: ['reference'],
        summary: 'Create or replace a team (admins)',
        params: KeyParamsSchema,
        body: PutTeamSchema,
        response: { 200: ok(TeamSchema, 'The team, replaced'), 201: ok(TeamSchema, 'The team, created'), ...problems(400, 415) },
      },
    },
    async (request, reply) => {
      const { created, team } = await reference.putTeam(request.params.key, request.body);
      return reply.status(created ? 201 : 200).send(team);
    },
  );

  app.get(
    '/teams/:key/members',
    {
      config: { access: 'staff' },
      schema: {
        operationId: 'listTeamMembers',
        tags: ['reference'],
        summary: "A team's operators: who a case of the team may be assigned to",
        description:
          'From the staff directory: /v1/staff rows, and in token-role mode (ROLE_SOURCE=token) the operators whose last sign-in carried the team.',
        params: KeyParamsSchema,
        response: { 200: ok(Type.Array(TeamMemberSchema), "The team's operators"), ...problems(400, 404) },
      },
    },
    async (request) => people.teamMembers(request.params.key),
  );
};

export default referenceRoutes;
