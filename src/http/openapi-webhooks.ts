import { EVENT_PAYLOAD_SCHEMAS, EVENT_TYPES } from '../domain/events';
import { eventTypeName } from '../schemas/events';

type Json = Record<string, unknown>;

/** The headers of every delivery (src/services/webhook-service.ts; docs/webhooks.md). */
const DELIVERY_HEADERS: Json[] = [
  {
    name: 'Saksflyt-Signature',
    in: 'header',
    required: true,
    description:
      '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the subscription secret>`; verify it and the ' +
      'age of t before trusting the body (docs/webhooks.md)',
    schema: { type: 'string', pattern: '^t=[0-9]+(,v1=[0-9a-f]{64})+$' },
  },
  {
    name: 'Saksflyt-Event-Id',
    in: 'header',
    required: true,
    description: "The event id (the body's `id`): deliveries are at least once, so dedupe on it",
    schema: { type: 'string', format: 'uuid' },
  },
  {
    name: 'Saksflyt-Event-Type',
    in: 'header',
    required: true,
    description: "The event type (the body's `type`)",
    schema: { type: 'string', enum: [...EVENT_TYPES] },
  },
  {
    name: 'Saksflyt-Delivery-Id',
    in: 'header',
    required: true,
    description: 'This delivery (one event to one subscription); retries of it carry the same id',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
];

/**
 * The OpenAPI 3.1 `webhooks` section: one operation per event type, the POST a subscribed URL
 * receives, its body the typed event (the same named components the feed `GET /v1/events`
 * answers). Built after componentize(), which has named those components; a component missing
 * here is a bug, and stops the document from being built.
 */
export function webhooksSection(components: Json): Json {
  const out: Json = {};
  for (const type of EVENT_TYPES) {
    const name = `${eventTypeName(type)}Event`;
    if (!(name in components)) throw new Error(`components.schemas.${name} is missing: the feed must use EventSchema`);
    const payload = EVENT_PAYLOAD_SCHEMAS[type] as unknown as { description?: string };
    out[type] = {
      post: {
        operationId: `receive${eventTypeName(type)}Event`,
        tags: ['webhooks'],
        summary: `${type}: ${payload.description ?? ''}`.trim(),
        description:
          'Posted to each active subscription whose eventTypes include this type (or "*"), at least once, in order per ' +
          'case. Events of sensitive categories are redacted (`redacted: true`) unless the subscription has ' +
          'includeSensitive. Any 2xx answer counts as delivered; anything else is retried with backoff.',
        parameters: DELIVERY_HEADERS,
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } },
        responses: {
          '2XX': { description: 'Delivered: any 2xx answer' },
          default: { description: 'Not delivered: the delivery is retried later (docs/webhooks.md)' },
        },
        security: [],
      },
    };
  }
  return out;
}
