import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requirePrincipal } from '../../plugins/auth';
import { IdParamsSchema } from '../../schemas/case';
import { problems, ok } from '../../schemas/common';
import { NotificationSchema, TemplateBodySchema, TemplateParamsSchema, TemplateSchema } from '../../schemas/notifications';

/** The mails of a case (staff) and the mail templates (admins): docs/notifications.md. */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app;

  app.get(
    '/cases/:id/notifications',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['cases'],
        operationId: 'listCaseNotifications',
        summary: 'The e-mails sent (or queued) about a case: when, to whom, and their delivery state (staff)',
        params: IdParamsSchema,
        response: { 200: ok(Type.Array(NotificationSchema), 'The mails about the case, newest first'), ...problems(400, 404) },
      },
    },
    async (request) => {
      // The same sight as the case itself: 404 for a case the operator may not see.
      await app.services.cases.get(requirePrincipal(request), request.params.id, 'GET /v1/cases/:id/notifications');
      return notifications.forCase(request.params.id);
    },
  );

  app.get(
    '/notification-templates',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'listNotificationTemplates',
        summary: 'The mail templates, per kind and language (admins)',
        response: { 200: ok(Type.Array(TemplateSchema), 'The templates') },
      },
    },
    async () => notifications.templates(),
  );

  app.get(
    '/notification-templates/:kind/:language',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'getNotificationTemplate',
        summary: 'One mail template (admins)',
        params: TemplateParamsSchema,
        response: { 200: ok(TemplateSchema, 'The template'), ...problems(400, 404) },
      },
    },
    async (request) => notifications.template(request.params.kind, request.params.language),
  );

  app.put(
    '/notification-templates/:kind/:language',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['admin'],
        operationId: 'putNotificationTemplate',
        summary: 'Replace a mail template (admins); an unknown {{placeholder}} is refused',
        params: TemplateParamsSchema,
        body: TemplateBodySchema,
        response: { 200: ok(TemplateSchema, 'The template as replaced'), ...problems(400, 404, 415) },
      },
    },
    async (request) => notifications.saveTemplate(request.params.kind, request.params.language, request.body, requirePrincipal(request).id),
  );
};

export default notificationRoutes;
