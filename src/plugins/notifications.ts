import path from 'node:path';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { fileTransport, NotificationService, smtpTransport, type MailTransport } from '../services/notification-service';
import { backgroundLoop, loopCloseTimeoutMs } from './background-loop';

declare module 'fastify' {
  interface FastifyInstance {
    /** E-mail notifications: the queue over the outbox, its sender and the templates. */
    notifications: NotificationService;
  }
}

/** How long one SMTP attempt may take. */
const SMTP_TIMEOUT_MS = 15_000;

/**
 * E-mail notifications: as soon as the app is ready, then NOTIFICATION_INTERVAL_MS after each run
 * ends (0: off), new outbox events and due reminders are queued as deliveries and pending ones
 * are sent. Several instances may run it at once (the cursor and the claims use SKIP LOCKED, a
 * delivery is unique per mail and recipient). The transport closes after the loop has stopped.
 */
async function notificationsPlugin(app: FastifyInstance): Promise<void> {
  const { config } = app;
  const fileDir = config.SMTP_URL ? null : path.resolve(config.DATA_DIR, 'mail');
  const transport: MailTransport = config.SMTP_URL
    ? smtpTransport(config.SMTP_URL, config.MAIL_FROM, SMTP_TIMEOUT_MS)
    : fileTransport(fileDir!, config.MAIL_FROM);
  const service = new NotificationService(
    app.pool,
    app.integration.events,
    app.services.clock,
    transport,
    {
      timeZone: config.TIMEZONE,
      reminderDaysBefore: config.REMINDER_DAYS_BEFORE,
      publicCaseUrl: config.PUBLIC_CASE_URL,
      batchSize: 50,
      maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
      backoffBaseMs: config.NOTIFICATION_BACKOFF_BASE_MS,
      backoffMaxMs: config.NOTIFICATION_BACKOFF_MAX_MS,
      leaseMs: SMTP_TIMEOUT_MS * 4 + 5_000,
      fileDir,
    },
    app.log,
  );
  app.decorate('notifications', service);
  // Registered before the loop's hooks, so it runs after them: the loop has stopped by then.
  app.addHook('onClose', async () => transport.close());
  backgroundLoop(app, {
    name: 'notification run',
    intervalMs: config.NOTIFICATION_INTERVAL_MS,
    closeTimeoutMs: loopCloseTimeoutMs(config),
    run: (signal) => service.run(app.services.clock.now(), signal),
    onResult: (r) => {
      if (r.queued > 0 || r.sent > 0 || r.retried > 0 || r.failed > 0) app.log.info(r, 'notification mails');
    },
  });
}

export default fp(notificationsPlugin, { name: 'notifications', dependencies: ['integration'], fastify: '5.x' });
