import { EVENT_TYPES } from '../../src/domain/events';
import { eventTypeName } from '../../src/schemas/events';
import { createTestApp, type TestApp } from '../helpers/app';

// The document is untyped JSON walked by path here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Operation names: a verb, then what it acts on (`listCases`, `getCase`, `uploadCaseAttachment`). */
const OPERATION_ID = /^(list|get|create|update|delete|put|run|upload|download|transition|receive|merge)[A-Z]\w+$/;
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

/**
 * The document Swagger UI at /docs loads (/docs/json), as a client developer meets it: uploads
 * with a file picker, binary downloads, no lock on public operations, one named component per
 * schema, one operationId style, webhooks typed per event.
 */
describe('the served OpenAPI document', () => {
  let t: TestApp;
  let doc: Json;
  const operations: Array<{ where: string; op: Json }> = [];

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const m of METHODS) if (item[m]) operations.push({ where: `${m.toUpperCase()} ${path}`, op: item[m] });
    }
    for (const [type, item] of Object.entries<Json>(doc.webhooks ?? {})) operations.push({ where: `webhook ${type}`, op: item.post });
  });
  afterAll(async () => t.close());

  const resolve = (schema: Json): Json => {
    const ref: unknown = schema.$ref;
    return typeof ref === 'string' ? resolve(doc.components.schemas[ref.replace('#/components/schemas/', '')]) : schema;
  };

  it('describes the upload as multipart/form-data with a binary file part (Swagger UI shows a file picker)', () => {
    const op = doc.paths['/v1/cases/{id}/attachments'].post;
    expect(op.operationId).toBe('uploadCaseAttachment');
    expect(op.requestBody.required).toBe(true);
    expect(Object.keys(op.requestBody.content)).toEqual(['multipart/form-data']);
    const body = resolve(op.requestBody.content['multipart/form-data'].schema);
    expect(body.type).toBe('object');
    expect(body.required).toEqual(['file']);
    expect(body.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  });

  it('describes the download as the file of its own media type with Content-Disposition', () => {
    const ok = doc.paths['/v1/cases/{id}/attachments/{attachmentId}'].get.responses['200'];
    expect(Object.keys(ok.content).sort()).toEqual(
      t.app.config.ATTACHMENT_TYPES.split(',')
        .map((s) => s.trim())
        .sort(),
    );
    for (const media of Object.values<Json>(ok.content)) expect(media.schema).toEqual({ type: 'string', format: 'binary' });
    expect(Object.keys(ok.headers).map((h) => h.toLowerCase())).toContain('content-disposition');
    expect(ok.content['application/json']).toBeUndefined();
    // Its problems stay problem+json, not "a PDF".
    expect(Object.keys(doc.paths['/v1/cases/{id}/attachments/{attachmentId}'].get.responses['404'].content)).toEqual(['application/problem+json']);
  });

  it('puts no lock on public operations: security [] and no 401; every other operation needs the bearer token', () => {
    expect(doc.security).toBeUndefined();
    expect(doc.paths['/v1/service-info'].get.security).toEqual([]);
    expect(doc.paths['/health/live'].get.security).toEqual([]);
    for (const { where, op } of operations) {
      if (where.startsWith('webhook')) continue;
      expect([where, op.security]).toEqual([where, expect.any(Array)]);
      const locked = op.security.length > 0;
      expect([where, locked]).toEqual([where, '401' in op.responses]);
    }
    expect(doc.paths['/v1/cases'].get.security).toEqual([{ bearerAuth: [] }]);
  });

  it('names every operation verbNoun, once', () => {
    const ids = operations.map(({ where, op }) => [where, op.operationId]);
    for (const [where, id] of ids) expect([where, id]).toEqual([where, expect.stringMatching(OPERATION_ID)]);
    const seen = new Set(ids.map(([, id]) => id));
    expect(seen.size).toBe(ids.length);
    expect(doc.paths['/v1/cases/{id}/transitions'].post.operationId).toBe('transitionCase');
    expect(doc.paths['/v1/cases/{id}/messages'].get.operationId).toBe('listCaseMessages');
  });

  it('gives success responses real descriptions and JSON bodies named components', () => {
    for (const { where, op } of operations) {
      for (const [code, res] of Object.entries<Json>(op.responses)) {
        if (!/^2/.test(code)) continue;
        expect([where, code, res.description]).not.toEqual([where, code, 'Default Response']);
        expect(res.description.length).toBeGreaterThan(3);
        const schema: Json | undefined = res.content?.['application/json']?.schema;
        if (!schema || !where.includes(' /v1')) continue;
        const named = typeof schema.$ref === 'string' || (schema.type === 'array' && typeof schema.items?.$ref === 'string');
        expect([where, code, named]).toEqual([where, code, true]);
      }
      const body: Json | undefined = op.requestBody?.content && Object.values<Json>(op.requestBody.content)[0];
      if (body && body.schema.format !== 'binary') expect([where, typeof body.schema.$ref]).toEqual([where, 'string']);
    }
    for (const name of ['Case', 'Webhook', 'StaffMember', 'SuspensionWindow', 'Event', 'WebhookDelivery', 'ServiceCalendar', 'SlaReport']) {
      expect(doc.components.schemas[name]).toBeDefined();
    }
    // Enums stay enums in responses.
    expect(resolve({ $ref: '#/components/schemas/Case' }).properties.status.enum).toContain('WAITING_FOR_USER');
  });

  it('has a webhooks section: one typed, signed POST per event type, the same events as the feed', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const op = doc.webhooks[type].post;
      const name = `${eventTypeName(type)}Event`;
      expect(op.requestBody.content['application/json'].schema).toEqual({ $ref: `#/components/schemas/${name}` });
      const headers = op.parameters.filter((p: Json) => p.in === 'header' && p.required).map((p: Json) => p.name);
      expect(headers).toEqual(expect.arrayContaining(['Saksflyt-Signature', 'Saksflyt-Event-Id']));
      const event = resolve({ $ref: `#/components/schemas/${name}` });
      expect(event.properties.type.enum ?? [event.properties.type.const]).toEqual([type]);
      // The full payload and the redacted one (no actor) are both allowed.
      const [full, redacted] = event.properties.payload.anyOf.map(resolve);
      expect(full.required).toContain('actor');
      expect(redacted.properties.actor).toBeUndefined();
      expect(redacted.additionalProperties).toBe(false);
    }
    const feedItems = resolve(doc.paths['/v1/events'].get.responses['200'].content['application/json'].schema).properties.items;
    expect(feedItems.items).toEqual({ $ref: '#/components/schemas/Event' });
    const eventUnion = doc.components.schemas.Event;
    expect(eventUnion.discriminator.propertyName).toBe('type');
    expect(eventUnion.anyOf).toHaveLength(EVENT_TYPES.length);
  });
});
