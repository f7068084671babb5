import { Type, type Static } from 'typebox';
import { ALL_EVENTS, EVENT_TYPES } from '../domain/events';
import { CaseSchema, StatusSchema } from './case';
import { DateTimeSchema, ProblemSchema, UuidSchema } from './common';
import { EventPosition, EventSchema } from './events';

const Position = EventPosition;

// ------------------------------------------------------------------ events feed

export const EventFeedQuerySchema = Type.Object(
  {
    after: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,18}$', maxLength: 18, default: '0', description: 'Last position already seen (0: from the start)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

/** An outbox event as handlers build it (EventDto); the document types it per event type. */
interface EventRow {
  position: string;
  id: string;
  type: string;
  caseId: string | null;
  payload: Record<string, unknown>;
  redacted: boolean;
  createdAt: string;
}

/** A page of the feed: the typed events of src/schemas/events.ts. */
export const EventFeedSchema = Type.Unsafe<{ items: EventRow[]; nextAfter: string }>(
  Type.Object(
    {
      items: Type.Array(EventSchema),
      nextAfter: Type.String({ description: 'Pass as after for the next page; equal to after when nothing new is committed' }),
    },
    { title: 'EventFeed', description: 'Events after a position, oldest first' },
  ),
);

// ------------------------------------------------------------------ webhooks

const EventTypesSchema = Type.Array(Type.Enum([...EVENT_TYPES, ALL_EVENTS]), {
  minItems: 1,
  maxItems: 20,
  uniqueItems: true,
  description: 'Event types to receive; "*" for all',
});
const UrlSchema = Type.String({ format: 'uri', maxLength: 2000, description: 'https (http only outside production)' });
const SecretSchema = Type.String({ minLength: 16, maxLength: 256, description: 'HMAC-SHA256 key (write-only)' });

export const WebhookSchema = Type.Object(
  {
    id: UuidSchema,
    url: Type.String(),
    eventTypes: Type.Array(Type.String()),
    description: Type.Union([Type.String(), Type.Null()]),
    active: Type.Boolean({ description: 'false: paused by an admin or disabled after WEBHOOK_MAX_FAILURES consecutive failures' }),
    includeSensitive: Type.Boolean({ description: 'Events of sensitive categories are sent in full; otherwise ids and status only' }),
    consecutiveFailures: Type.Integer(),
    disabledAt: Type.Union([DateTimeSchema, Type.Null()]),
    disabledReason: Type.Union([Type.String(), Type.Null()]),
    createdBy: Type.String(),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  },
  { title: 'Webhook' },
);
export type WebhookDto = Static<typeof WebhookSchema>;

export const WebhookCreatedSchema = Type.Object(
  {
    ...WebhookSchema.properties,
    secret: Type.String({ description: 'The signing secret; shown only in this answer' }),
  },
  { title: 'WebhookCreated' },
);

export const CreateWebhookSchema = Type.Object(
  {
    url: UrlSchema,
    eventTypes: EventTypesSchema,
    secret: Type.Optional(SecretSchema),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    active: Type.Optional(Type.Boolean({ default: true })),
    includeSensitive: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Send events of sensitive categories in full (actors, reasons, assignees). Only an administrator signed in as a ' +
          'person, or a client granted cases:read:sensitive, may set it',
      }),
    ),
  },
  { title: 'CreateWebhookRequest', additionalProperties: false },
);

export const PatchWebhookSchema = Type.Object(
  {
    url: Type.Optional(UrlSchema),
    eventTypes: Type.Optional(EventTypesSchema),
    secret: Type.Optional(SecretSchema),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    active: Type.Optional(Type.Boolean({ description: 'true re-enables a disabled subscription and clears its failure count' })),
    includeSensitive: Type.Optional(
      Type.Boolean({
        description:
          'Send events of sensitive categories in full (actors, reasons, assignees). Only an administrator signed in as a ' +
          'person, or a client granted cases:read:sensitive, may set it',
      }),
    ),
  },
  { title: 'UpdateWebhookRequest', additionalProperties: false, minProperties: 1 },
);

const DeliveryStateSchema = Type.Enum(['pending', 'succeeded']);

const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    eventId: UuidSchema,
    eventType: Type.String(),
    eventPosition: Position,
    caseId: Type.Union([UuidSchema, Type.Null()]),
    state: DeliveryStateSchema,
    attempts: Type.Integer(),
    nextAttemptAt: Type.Union([DateTimeSchema, Type.Null()]),
    lastAttemptAt: Type.Union([DateTimeSchema, Type.Null()]),
    lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    deliveredAt: Type.Union([DateTimeSchema, Type.Null()]),
    createdAt: DateTimeSchema,
    attemptLog: Type.Array(
      Type.Object({
        at: DateTimeSchema,
        statusCode: Type.Union([Type.Integer(), Type.Null()]),
        error: Type.Union([Type.String(), Type.Null()]),
        durationMs: Type.Integer(),
      }),
      { description: 'The latest attempts (up to 20), oldest first' },
    ),
  },
  { title: 'WebhookDelivery' },
);

export const DeliveryListSchema = Type.Object(
  {
    items: Type.Array(DeliverySchema),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'WebhookDeliveryList' },
);

export const DeliveriesQuerySchema = Type.Object(
  {
    state: Type.Optional(DeliveryStateSchema),
    failed: Type.Optional(
      Type.Boolean({ description: 'true: only deliveries whose last attempt failed (not delivered yet); false: only the others' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', maxLength: 18 })),
  },
  { additionalProperties: false },
);

export const RunWebhooksResultSchema = Type.Object(
  {
    queued: Type.Integer({ description: 'New deliveries created from the outbox' }),
    attempted: Type.Integer(),
    succeeded: Type.Integer(),
    failed: Type.Integer(),
    disabled: Type.Integer({ description: 'Subscriptions disabled by this run' }),
    asOf: DateTimeSchema,
  },
  { title: 'WebhookRunResult' },
);

// ------------------------------------------------------------------ bulk

const Reason = Type.Optional(Type.String({ maxLength: 2000 }));

const BulkOperationSchema = Type.Union([
  Type.Object(
    {
      op: Type.Literal('assign'),
      caseId: UuidSchema,
      assigneeId: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()]),
      reason: Reason,
    },
    { additionalProperties: false },
  ),
  Type.Object({ op: Type.Literal('transition'), caseId: UuidSchema, to: StatusSchema, reason: Reason }, { additionalProperties: false }),
  Type.Object(
    { op: Type.Literal('setTeam'), caseId: UuidSchema, teamKey: Type.String({ minLength: 1, maxLength: 64 }), reason: Reason },
    { additionalProperties: false },
  ),
]);

export const BulkRequestSchema = Type.Object(
  { operations: Type.Array(BulkOperationSchema, { minItems: 1, maxItems: 500 }) },
  { title: 'BulkRequest', additionalProperties: false },
);

export const BulkResultSchema = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        index: Type.Integer({ description: 'Position of the operation in the request' }),
        status: Type.Integer({ description: 'The HTTP status the operation alone would have had' }),
        case: Type.Optional(CaseSchema),
        problem: Type.Optional(ProblemSchema),
      }),
    ),
    succeeded: Type.Integer(),
    failed: Type.Integer(),
  },
  { title: 'BulkResult' },
);
