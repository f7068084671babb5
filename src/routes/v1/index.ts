import type { FastifyInstance, FastifySchema } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ACCESS_LEVELS, isRouteAccess, mayCall, type RouteAccess } from '../../domain/access';
import { DomainError } from '../../domain/errors';
import { authenticate, requirePrincipal } from '../../plugins/auth';
import { accessProblems } from '../../schemas/common';
import referenceRoutes from './reference';
import caseRoutes from './cases';
import attachmentRoutes from './attachments';
import relationRoutes from './relations';
import adminRoutes from './admin';
import staffRoutes from './staff';
import meRoutes from './me';
import retentionRoutes from './retention';
import idempotencyPlugin from '../../plugins/idempotency';
import eventRoutes from './events';
import webhookRoutes from './webhooks';
import bulkRoutes from './bulk';
import serviceLevelRoutes from './service-levels';
import serviceInfoRoutes from '../service-info';
import inboundMailRoutes from './inbound-mail';
import notificationRoutes from './notifications';
import replyTemplateRoutes from './reply-templates';
import noticeRoutes from './notices';
import viewRoutes from './views';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route at all (src/domain/access.ts); every /v1 route must declare it. */
    access?: RouteAccess;
  }
}

const BEARER = [{ bearerAuth: [] }];

/**
 * Declared access for every route registered in `scope` after this call: a route without a
 * known `config.access` makes startup fail; its OpenAPI security and 401/403 problems are
 * derived from the declaration; a request needs a token unless the route is public, and is
 * refused 403 when the policy says so.
 *
 * The refusal runs as the first preHandler, after body validation, as the handlers' own checks
 * did (a malformed request is still 400 for everyone), and before the Idempotency-Key is
 * claimed, so a refused caller stores nothing.
 */
export function enforceDeclaredAccess(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    const access: unknown = route.config?.access;
    if (!isRouteAccess(access)) {
      throw new Error(
        `${String(route.method)} ${route.url}: declare who may call it with config.access ` +
          `(${Object.keys(ACCESS_LEVELS).join(', ')}); got ${JSON.stringify(access)}`,
      );
    }
    const schema: FastifySchema & { security?: unknown } = route.schema ?? {};
    route.schema = {
      ...schema,
      security: ACCESS_LEVELS[access].token ? BEARER : [],
      ...(schema.response ? { response: { ...accessProblems(access), ...schema.response } } : {}),
    };
  });

  scope.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.access !== 'public') await authenticate(request, reply);
  });

  scope.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    if (!mayCall(requirePrincipal(request), access)) {
      throw new DomainError('forbidden', ACCESS_LEVELS[access].refusal ?? 'Not allowed.');
    }
  });
}

/** Everything under /v1: each route declares who may call it (config.access). */
const v1Routes: FastifyPluginAsyncTypebox = async (app) => {
  enforceDeclaredAccess(app);
  // Before the routes, so its hooks cover every POST of this scope.
  await app.register(idempotencyPlugin);
  await app.register(referenceRoutes);
  await app.register(caseRoutes);
  await app.register(attachmentRoutes);
  await app.register(relationRoutes);
  await app.register(adminRoutes);
  await app.register(staffRoutes);
  await app.register(meRoutes);
  await app.register(retentionRoutes);
  await app.register(eventRoutes);
  await app.register(webhookRoutes);
  await app.register(bulkRoutes);
  await app.register(serviceLevelRoutes);
  await app.register(serviceInfoRoutes);
  await app.register(inboundMailRoutes);
  await app.register(notificationRoutes);
  await app.register(replyTemplateRoutes);
  await app.register(noticeRoutes);
  await app.register(viewRoutes);
};

export default v1Routes;
