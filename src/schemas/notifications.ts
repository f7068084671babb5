import { Type, type Static } from 'typebox';
import { LANGUAGES, NOTIFICATION_KINDS, PLACEHOLDERS } from '../domain/notifications';
import { DateTimeSchema } from './common';

const NullableDateTime = Type.Union([DateTimeSchema, Type.Null()]);

export const NotificationSchema = Type.Object(
  {
    id: Type.String({ description: 'Delivery id' }),
    kind: Type.Enum(NOTIFICATION_KINDS, { description: 'What the mail was about (sensitive: a mail that says only that something is new)' }),
    language: Type.Enum(LANGUAGES),
    recipient: Type.String({ description: 'The address (the requester or a CC); [anonymised] after retention' }),
    subject: Type.String(),
    state: Type.Enum(['pending', 'sent', 'failed'], {
      description: 'pending: not yet taken by the mail server (retried with backoff); failed: given up',
    }),
    attempts: Type.Integer({ minimum: 0 }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    lastAttemptAt: NullableDateTime,
    sentAt: NullableDateTime,
    nextAttemptAt: NullableDateTime,
    createdAt: DateTimeSchema,
  },
  { title: 'Notification', additionalProperties: false },
);
export type NotificationDto = Static<typeof NotificationSchema>;

export const TemplateParamsSchema = Type.Object(
  { kind: Type.Enum(NOTIFICATION_KINDS), language: Type.Enum(LANGUAGES) },
  { additionalProperties: false },
);

export const TemplateBodySchema = Type.Object(
  {
    subject: Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'The subject after the case token ("[Sak 2026-000123] " is put in front when sent)',
    }),
    body: Type.String({ minLength: 1, maxLength: 20000, description: `Plain text; placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}` }),
  },
  { title: 'PutNotificationTemplateRequest', additionalProperties: false },
);

export const TemplateSchema = Type.Object(
  {
    kind: Type.Enum(NOTIFICATION_KINDS),
    language: Type.Enum(LANGUAGES),
    subject: Type.String(),
    body: Type.String(),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
    updatedAt: DateTimeSchema,
  },
  { title: 'NotificationTemplate', additionalProperties: false },
);
export type TemplateDto = Static<typeof TemplateSchema>;
