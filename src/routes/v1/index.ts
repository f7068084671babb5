import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticate } from '../../plugins/auth';
import referenceRoutes from './reference';
import caseRoutes from './cases';
import attachmentRoutes from './attachments';
import adminRoutes from './admin';

/** Everything under /v1 needs a bearer token. */
const v1Routes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', authenticate);
  await app.register(referenceRoutes);
  await app.register(caseRoutes);
  await app.register(attachmentRoutes);
  await app.register(adminRoutes);
};

export default v1Routes;
