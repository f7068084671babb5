import { Type, type TSchema } from 'typebox';
import { EVENT_PAYLOAD_SCHEMAS, EVENT_TYPES, REDACTED_BASE, REDACTED_FIELDS, type EventType } from '../domain/events';
import { DateTimeSchema, UuidSchema } from './common';

/**
 * The published event, typed per event type: the feed (`GET /v1/events`) serves it and every
 * webhook delivery posts it (the OpenAPI `webhooks` section, src/http/openapi-webhooks.ts).
 * One envelope schema per type, `type` its discriminator; its payload is the full payload of
 * that type (src/domain/events.ts) or, when `redacted` is true, the redacted one: the fields
 * REDACTED_FIELDS keeps, never the actor, a reason or an assignee (docs/webhooks.md). The two
 * payload variants are told apart by `actor`, which only the full one has.
 */

export const EventPosition = Type.String({ pattern: '^[0-9]{1,18}$', description: 'Outbox position (a decimal int64, as a string)' });

/** `case.status_changed` → `CaseStatusChanged`: the name stem of a type's schemas. */
export function eventTypeName(type: string): string {
  return type
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function variant(type: EventType): TSchema {
  const full = EVENT_PAYLOAD_SCHEMAS[type] as unknown as { properties: Record<string, TSchema>; description?: string };
  const name = eventTypeName(type);
  const props = full.properties;
  const kept: readonly string[] = [...REDACTED_BASE, ...REDACTED_FIELDS[type]];
  const fullPayload = Type.Object(props, { additionalProperties: false, title: `${name}Payload`, description: full.description });
  const redactedPayload = Type.Object(Object.fromEntries(kept.map((k) => [k, props[k]!])), {
    additionalProperties: false,
    title: `${name}RedactedPayload`,
    description: `${full.description ?? ''} Redacted (a sensitive case, a receiver without the sensitive grant): ids, status and codes only.`.trim(),
  });
  return Type.Object(
    {
      position: EventPosition,
      id: Type.String({ format: 'uuid', description: 'Event id: consumers dedupe on it' }),
      type: Type.Literal(type),
      caseId: Type.Union([UuidSchema, Type.Null()]),
      payload: Type.Union([fullPayload, redactedPayload], {
        description: 'The full payload, or the redacted one when `redacted` is true (it has no `actor`)',
      }),
      redacted: Type.Boolean({ description: 'The payload holds ids, status and codes only: no actor, names, reasons or assignees' }),
      createdAt: DateTimeSchema,
    },
    { additionalProperties: false, title: `${name}Event`, description: `The event ${type}` },
  );
}

/** Any event, discriminated by `type`. */
export const EventSchema = Type.Union(
  EVENT_TYPES.map((t) => variant(t)),
  {
    title: 'Event',
    description: 'An event of the outbox, as the feed serves it and a webhook delivery posts it; `type` says which',
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(EVENT_TYPES.map((t) => [t, `#/components/schemas/${eventTypeName(t)}Event`])),
    },
  },
);
