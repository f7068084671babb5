import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticate } from '../../plugins/auth';
import referenceRoutes from './reference';
import caseRoutes from './cases';
import attachmentRoutes from './attachments';
import adminRoutes from './admin';
import staffRoutes from './staff';
import retentionRoutes from './retention';
import idempotencyPlugin from '../../plugins/idempotency';
import eventRoutes from './events';
import webhookRoutes from './webhooks';
import bulkRoutes from './bulk';
import serviceLevelRoutes from './service-levels';

/** Everything under /v1 needs a bearer token. */
const v1Routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', authenticate);
  // Before the routes, so its hooks cover every POST of this scope.
  await app.register(idempotencyPlugin);
  await app.register(referenceRoutes);
  await app.register(caseRoutes);
  await app.register(attachmentRoutes);
  await app.register(adminRoutes);
  await app.register(staffRoutes);
  await app.register(retentionRoutes);
  await app.register(eventRoutes);
  await app.register(webhookRoutes);
  await app.register(bulkRoutes);
  await app.register(serviceLevelRoutes);
};

export default v1Routes;
