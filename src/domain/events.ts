import { Type, type Static, type TSchema } from 'typebox';
import { RESOLUTIONS, STATUSES } from './statuses';
import { PRIORITIES } from './triage';

/**
 * The events the service emits (DOMAIN.md "History and events"), one payload schema per type.
 * These schemas are the one source: the planner (src/domain/plan.ts) builds payloads of these
 * types, the outbox stores them, and the event feed and webhooks deliver them as they are.
 * Webhook subscriptions choose among EVENT_TYPES (or `*`); a new event type is added here.
 *
 * TypeBox is a schema library with no I/O, so the domain may define its data shapes with it.
 */

const StatusCode = Type.Enum(STATUSES, { description: 'Case status code' });
const Instant = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);

const EventActorSchema = Type.Object(
  {
    id: Type.String({ description: 'Subject id of the person or client, or `system`' }),
    role: Type.String({ description: 'Role recorded for the action (requester, leader, operator, admin, integration, system)' }),
    onBehalfOf: Type.Union([Type.String(), Type.Null()], { description: 'The external requester an operator acted for' }),
  },
  { additionalProperties: false, title: 'EventActor' },
);

/** What every case event carries: the case as it is after the change, who and when. */
const base = {
  caseId: Type.String({ format: 'uuid' }),
  number: Type.String({ description: 'Case number, e.g. 2026-000123' }),
  status: StatusCode,
  version: Type.Integer({ minimum: 1, description: 'The case version after the change' }),
  actor: EventActorSchema,
  at: Instant,
};

function payload<P extends Record<string, TSchema>>(description: string, props: P) {
  return Type.Object({ ...base, ...props }, { additionalProperties: false, description });
}

/** The payload schema of each event type. */
export const EVENT_PAYLOAD_SCHEMAS = {
  'case.created': payload('A case was filed (status REGISTERED).', {
    categoryKey: Type.String(),
    teamKey: Type.String(),
    channel: Type.String({ description: 'portal, phone, email, post or api' }),
  }),
  'case.status_changed': payload('The case moved to another status.', {
    from: StatusCode,
    to: StatusCode,
    reason: NullableString,
    resolution: Type.Optional(Type.Enum(RESOLUTIONS, { description: 'How the case ended: given with moves into COMPLETED' })),
  }),
  'case.assigned': payload('The assignee changed (to null: unassigned).', {
    from: NullableString,
    to: NullableString,
  }),
  'case.updated': payload('Staff changed fields of the case (category, team, subject, priority, tags). Tag values are not in the event.', {
    fields: Type.Array(Type.String()),
  }),
  'case.priority_changed': payload('Staff changed the priority of the case.', {
    from: Type.Enum(PRIORITIES),
    to: Type.Enum(PRIORITIES),
  }),
  'case.message_added': payload('A message was written on the case. Its body is not in the event: fetch it with your own access rights.', {
    messageId: Type.String({ format: 'uuid' }),
    visibility: Type.Enum(['public', 'internal']),
  }),
  'case.attachment_added': payload('A file was attached to the case.', {
    attachmentId: Type.String({ format: 'uuid' }),
  }),
  'case.anonymised': payload("The case's personal data was removed at the end of its retention period.", {
    closedAt: Instant,
    retentionMonths: Type.Integer(),
  }),
  'case.merged': payload(
    'Two cases were merged: the source (now CLOSED) into the target, which took its messages and files. Emitted for both; `role` says which this one is.',
    {
      role: Type.Union([Type.Literal('source'), Type.Literal('target')]),
      sourceCaseId: Type.String({ format: 'uuid' }),
      sourceNumber: Type.String(),
      targetCaseId: Type.String({ format: 'uuid' }),
      targetNumber: Type.String(),
      movedMessages: Type.Integer({ minimum: 0 }),
      movedAttachments: Type.Integer({ minimum: 0 }),
    },
  ),
  'case.linked': payload('A link to another case was added (emitted for both cases).', {
    linkedCaseId: Type.String({ format: 'uuid' }),
    linkedNumber: Type.String(),
    kind: Type.Union([Type.Literal('related'), Type.Literal('duplicate')]),
  }),
  'case.unlinked': payload('A link to another case was removed (emitted for both cases).', {
    linkedCaseId: Type.String({ format: 'uuid' }),
    linkedNumber: Type.String(),
    kind: Type.Union([Type.Literal('related'), Type.Literal('duplicate')]),
  }),
  'case.sla_breached': payload('A service-level target passed without being met.', {
    teamKey: Type.String(),
    categoryKey: Type.String(),
    kind: Type.Enum(['first_response', 'resolution']),
    dueAt: Instant,
  }),
} as const;

export type EventType = keyof typeof EVENT_PAYLOAD_SCHEMAS;

/** Every event type, in a stable order. */
export const EVENT_TYPES = Object.keys(EVENT_PAYLOAD_SCHEMAS) as EventType[];

/** The payload of an event of type `T`. */
export type EventPayload<T extends EventType = EventType> = Static<(typeof EVENT_PAYLOAD_SCHEMAS)[T]>;

export type EventActor = Static<typeof EventActorSchema>;

/** What every redacted payload keeps: which case, its status and version, when. */
export const REDACTED_BASE = ['caseId', 'number', 'status', 'version', 'at'] as const;

/**
 * The fields a redacted payload keeps per event type, besides REDACTED_BASE: codes and ids of
 * things, never people (actor, onBehalfOf, assignees) or free text (reason). A list of what is
 * kept rather than of what is dropped, so a field added to an event later stays out until it is
 * judged here. docs/webhooks.md has the same table; the OpenAPI document derives a redacted
 * payload schema per type from it (src/schemas/events.ts).
 */
export const REDACTED_FIELDS: Readonly<{ [T in EventType]: ReadonlyArray<keyof EventPayload<T>> }> = {
  'case.created': ['categoryKey', 'teamKey', 'channel'],
  'case.status_changed': ['from', 'to', 'resolution'],
  'case.assigned': [],
  'case.updated': ['fields'],
  'case.priority_changed': ['from', 'to'],
  'case.message_added': ['messageId', 'visibility'],
  'case.attachment_added': ['attachmentId'],
  'case.anonymised': ['closedAt', 'retentionMonths'],
  'case.sla_breached': ['teamKey', 'categoryKey', 'kind', 'dueAt'],
  'case.merged': ['role', 'sourceCaseId', 'sourceNumber', 'targetCaseId', 'targetNumber', 'movedMessages', 'movedAttachments'],
  'case.linked': ['linkedCaseId', 'linkedNumber', 'kind'],
  'case.unlinked': ['linkedCaseId', 'linkedNumber', 'kind'],
};

/** Subscribes to every event type, present and future. */
export const ALL_EVENTS = '*';

/**
 * The delay before retry number `attempt` (1 = the first retry after one failure): exponential
 * from `baseMs`, capped at `maxMs`, with "equal jitter" (half fixed, half random) so receivers
 * that failed together do not get retried in lockstep.
 * @param random a number in [0, 1); injected so tests can pin it
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  return Math.round(exp / 2 + (exp / 2) * Math.min(Math.max(random, 0), 1));
}
