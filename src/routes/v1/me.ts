import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal } from '../../plugins/auth';
import { ok } from '../../schemas/common';
import { MeSchema } from '../../schemas/staff';

/** Who the caller is, as the service sees them (roles from the token or the staff table). */
const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      config: { access: 'authenticated' },
      schema: {
        operationId: 'getMe',
        tags: ['reference'],
        summary: 'The caller: subject, name, roles, teams, scopes and employee number',
        response: { 200: ok(MeSchema, 'The caller') },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return { subject: p.id, name: p.name, roles: [...p.roles], teams: [...p.teams], scopes: [...p.scopes], employeeNumber: p.employeeNumber };
    },
  );
};

export default meRoutes;
