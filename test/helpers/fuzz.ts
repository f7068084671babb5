import fc from 'fast-check';

/**
 * Generators of hostile HTTP requests, derived from the service's OpenAPI document: every
 * operation, with path, query, header and body values that are sometimes right, often of the
 * wrong type, too long, unicode, injection strings, or missing.
 */

/** Strings that have broken services before. */
const EVIL_STRINGS = [
  "' OR '1'='1",
  '\'; DROP TABLE "case"; --',
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  "%' --",
  '$1',
  '\\',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil',
  '\uFEFF',
  '😀🔥👩‍👩‍👧',
  'ǅǈ',
  'Ææ Øø Åå',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '{"$ne":null}',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999999',
  '-9223372036854775809',
  '2024-02-30T25:61:61Z',
  '0000-00-00',
  '+275760-09-13T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '0001-01-01T00:00:00Z',
  'true',
  '[]',
  '{}',
  ' ',
  '',
  '\t\n\r',
  'W/"1"',
  '"1"',
  '*',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '5b1c7d8e-0000-4000-8000-00000000202',
];

const evil = fc.constantFrom(...EVIL_STRINGS);

/** A string of the given size made of one repeated unit (cheap to build, large on the wire). */
const big = (size: number) => fc.constantFrom('x', 'æ', '😀', "'", '\u0000').map((u) => u.repeat(Math.ceil(size / u.length)).slice(0, size));

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: evil },
  { weight: 1, arbitrary: big(300) },
  { weight: 1, arbitrary: big(25_000) },
);

/** Values of any JSON type, to put where another type belongs. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  hostileString,
);

/** A JSON Schema as it appears in the OpenAPI document (inlined, no $ref). */
interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}

/** Ids and keys that exist in the test database, so some requests get past "not found". */
export interface Known {
  uuids: string[];
  keys: string[];
  subjects: string[];
}

const dateTimes = fc.oneof(
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2024-02-29T12:00:00Z',
    '2024-02-30T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2025-03-03T09:00:00+14:00',
    '2025-03-03T09:00:00.123456789Z',
  ),
);
const dates = fc.oneof(
  fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2024-02-30', '0000-01-01', '9999-12-31', '2024-06-01', '2024-08-31', '2031-13-01'),
);

function typed(schema: Schema, known: Known, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return fc.oneof(...union.map((s) => valueFor(s, known, depth)));
  if (schema.allOf?.length) return valueFor(schema.allOf[0]!, known, depth);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...known.uuids), fc.uuid());
      if (schema.format === 'date-time') return dateTimes;
      if (schema.format === 'date') return dates;
      if (schema.format === 'email') return fc.oneof(fc.emailAddress(), fc.constant('a@b'));
      if (schema.format === 'uri') return fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1:1/x', 'file:///etc/passwd', 'javascript:alert(1)'));
      const max = Math.min(schema.maxLength ?? 60, 60);
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.max(max, schema.minLength ?? 0) }),
        fc.constantFrom(...known.keys, ...known.subjects),
        fc.stringMatching(/^[0-9]{1,12}$/),
      );
    }
    case 'integer':
    case 'number':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 1000, 1_000_000) }),
        fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, 1e308, (schema.maximum ?? 100) + 1, (schema.minimum ?? 0) - 1, 0.5),
      );
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.oneof(
        fc.array(valueFor(schema.items ?? {}, known, depth + 1), { maxLength: 4 }),
        fc.constant(Array.from({ length: 2000 }, (_, i) => i)),
      );
    case 'object':
      return objectFor(schema, known, depth);
    default:
      return wrongType;
  }
}

function objectFor(schema: Schema, known: Known, depth: number): fc.Arbitrary<unknown> {
  if (depth > 3) return fc.constant({});
  const props = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of Object.entries(props)) model[k] = valueFor(s, known, depth + 1);
  const names = Object.keys(model);
  const required = (schema.required ?? []).filter((r) => names.includes(r));
  // Required properties are there most of the time, so the handlers behind validation get fuzzed too.
  const base: fc.Arbitrary<Record<string, unknown>> = names.length
    ? fc.oneof(
        { weight: 4, arbitrary: fc.record(model, { requiredKeys: required }) },
        { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      )
    : fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
  return fc.oneof(
    { weight: 5, arbitrary: base },
    { weight: 1, arbitrary: fc.tuple(base, hostileString, fc.jsonValue({ maxDepth: 2 })).map(([o, k, v]) => ({ ...o, [k]: v })) },
  );
}

/** The string with lone surrogates replaced, as a client would have to send it in a URL. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** A value for `schema`: usually of the right shape, sometimes of the wrong type or hostile. */
function valueFor(schema: Schema, known: Known, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: typed(schema, known, depth) }, { weight: 1, arbitrary: wrongType });
}

/** One operation of the OpenAPI document. */
export interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header'; schema?: Schema; required?: boolean }>;
  jsonBody: Schema | null;
}

type OpenApiDoc = { paths: Record<string, Record<string, unknown>>; components?: { schemas?: Record<string, unknown> } };

/** The schema with `$ref`s to components replaced by copies of what they name (cycles cut off). */
function inline(schema: unknown, doc: OpenApiDoc, depth = 0): unknown {
  if (Array.isArray(schema)) return schema.map((s) => inline(s, doc, depth));
  if (!schema || typeof schema !== 'object') return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    const target = doc.components?.schemas?.[ref.replace('#/components/schemas/', '')];
    return depth > 5 || !target ? {} : inline(target, doc, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, doc, depth)]));
}

/** Every operation of an OpenAPI document. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = raw as { parameters?: Operation['parameters']; requestBody?: { content?: Record<string, { schema?: Schema }> } };
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: inline(op.parameters ?? [], doc) as Operation['parameters'],
        jsonBody: inline(op.requestBody?.content?.['application/json']?.schema ?? null, doc) as Schema | null,
      });
    }
  }
  return ops;
}

/** A request as app.inject takes it, plus a label for failure reports. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  label: string;
}

function encodeSegment(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined');
  return encodeURIComponent(wellFormed(s));
}

function queryValue(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : (JSON.stringify(x) ?? '')));
  return [typeof v === 'string' ? v : (JSON.stringify(v) ?? '')];
}

/** A multipart body: sometimes a well-formed upload, sometimes broken. */
const multipart: fc.Arbitrary<{ contentType: string; body: Buffer }> = fc
  .record({
    boundary: fc.constantFrom('b0undary', 'x', '----WebKitFormBoundary7MA4YWxkTrZu0gW'),
    name: fc.constantFrom('file', 'other', ''),
    filename: fc.oneof(fc.constantFrom('note.txt', 'a.pdf', ''), hostileString),
    type: fc.constantFrom('text/plain', 'application/pdf', 'image/png', 'application/x-msdownload', 'text/html', ''),
    data: fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.constant(Buffer.alloc(0)),
    ),
    broken: fc.constantFrom('none', 'no-end', 'no-boundary', 'two-files', 'garbage'),
  })
  .map((m) => {
    const part = (name: string) =>
      Buffer.concat([
        Buffer.from(
          `--${m.boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${m.filename.replace(/[\r\n]/g, '')}"\r\n` +
            (m.type ? `Content-Type: ${m.type}\r\n` : '') +
            '\r\n',
        ),
        m.data,
        Buffer.from('\r\n'),
      ]);
    const end = Buffer.from(`--${m.boundary}--\r\n`);
    switch (m.broken) {
      case 'no-end':
        return { contentType: `multipart/form-data; boundary=${m.boundary}`, body: part(m.name) };
      case 'no-boundary':
        return { contentType: 'multipart/form-data', body: Buffer.concat([part(m.name), end]) };
      case 'two-files':
        return { contentType: `multipart/form-data; boundary=${m.boundary}`, body: Buffer.concat([part('file'), part('file'), end]) };
      case 'garbage':
        return { contentType: `multipart/form-data; boundary=${m.boundary}`, body: m.data };
      default:
        return { contentType: `multipart/form-data; boundary=${m.boundary}`, body: Buffer.concat([part(m.name), end]) };
    }
  });

/**
 * Requests against the operations: path parameters from known ids or hostile strings, query
 * parameters of the declared ones (and some undeclared), bodies shaped by the schema or not JSON
 * at all, and odd headers. `tokens` are valid bearer tokens of several roles.
 */
export function requestArbitrary(ops: Operation[], known: Known, tokens: string[], badTokens: string[]): fc.Arbitrary<FuzzRequest> {
  const perOp = ops.map((op) => {
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const queryParams = op.parameters.filter((p) => p.in === 'query');
    const pathArb = fc.record(
      Object.fromEntries(
        pathParams.map((p) => [
          p.name,
          fc.oneof(
            { weight: 5, arbitrary: fc.constantFrom(...known.uuids, ...known.keys, ...known.subjects) },
            { weight: 2, arbitrary: p.schema ? typed(p.schema, known, 0) : hostileString },
            { weight: 2, arbitrary: hostileString },
          ),
        ]),
      ),
    );
    const queryArb = fc.record(
      Object.fromEntries(queryParams.map((p) => [p.name, fc.option(valueFor(p.schema ?? {}, known), { nil: undefined, freq: 2 })])),
    );
    const extraQuery = fc.option(fc.tuple(fc.constantFrom('foo', 'limit', 'cursor', 'status', '__proto__', 'q'), hostileString), {
      freq: 4,
      nil: undefined,
    });
    const bodyArb: fc.Arbitrary<{ payload?: string | Buffer; contentType?: string }> = fc.oneof(
      {
        weight: op.jsonBody ? 8 : 1,
        arbitrary: (op.jsonBody ? valueFor(op.jsonBody, known) : fc.jsonValue({ maxDepth: 3 })).map((v) => ({
          payload: JSON.stringify(v) ?? 'null',
        })),
      },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ payload: JSON.stringify(v) })) },
      { weight: 1, arbitrary: hostileString.map((s) => ({ payload: s })) },
      { weight: 1, arbitrary: fc.constant({ payload: `${'['.repeat(20000)}${']'.repeat(20000)}` }) },
      { weight: 1, arbitrary: fc.constant({ payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' }) },
      { weight: 1, arbitrary: fc.constant({ payload: `{"subject":"${'x'.repeat(1_100_000)}"}` }) },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: op.method === 'POST' ? 1 : 0, arbitrary: multipart.map((m) => ({ payload: m.body, contentType: m.contentType })) },
    );
    const headersArb = fc.record({
      authorization: fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom(...tokens).map((t) => `Bearer ${t}`) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.constantFrom(...badTokens).map((t) => `Bearer ${t}`) },
        { weight: 1, arbitrary: fc.constantFrom('Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer  ', 'bearer x.y.z', `Bearer ${'a'.repeat(9000)}`) },
      ),
      contentType: fc.oneof(
        { weight: 10, arbitrary: fc.constant('application/json') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
            'application/problem+json',
            'application/xml',
            'garbage/ /',
            '',
          ),
        },
      ),
      ifMatch: fc.option(fc.oneof(fc.constantFrom('"1"', '"2"', '"999999"', '*', 'W/"1"', '"-1"', '"99999999999"', '1'), evil), {
        freq: 3,
        nil: undefined,
      }),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), evil, fc.constant('k'.repeat(300))), { freq: 6, nil: undefined }),
      requestId: fc.option(evil, { freq: 8, nil: undefined }),
      accept: fc.option(fc.constantFrom('application/xml', 'text/html', '*/*', 'application/json;q=0'), { freq: 8, nil: undefined }),
    });
    return fc
      .record({ path: pathArb, query: queryArb, extraQuery, body: bodyArb, headers: headersArb })
      .map(({ path, query, extraQuery: extra, body, headers }) => {
        let url = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeSegment(path[name]));
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(query)) if (v !== undefined) for (const s of queryValue(v)) qs.append(k, wellFormed(s));
        if (extra) qs.append(extra[0], wellFormed(extra[1]));
        const q = qs.toString();
        if (q) url += `?${q}`;
        const h: Record<string, string> = {};
        // Header values travel as latin1: the parts of hostile strings a client could not send are dropped.
        const header = (v: string) => v.replace(/[^\x20-\x7e\xa0-\xff]/g, '');
        if (headers.authorization !== undefined) h.authorization = header(headers.authorization);
        const sendsBody = body.payload !== undefined && op.method !== 'GET' && op.method !== 'DELETE';
        if (sendsBody) h['content-type'] = body.contentType ?? headers.contentType;
        if (headers.ifMatch !== undefined) h['if-match'] = header(headers.ifMatch);
        if (headers.idempotencyKey !== undefined) h['idempotency-key'] = header(headers.idempotencyKey);
        if (headers.requestId !== undefined) h['x-request-id'] = header(headers.requestId);
        if (headers.accept !== undefined) h.accept = headers.accept;
        const preview =
          typeof body.payload === 'string' ? body.payload.slice(0, 200) : body.payload ? `<${body.payload.length} bytes multipart>` : '';
        return {
          method: op.method,
          url,
          headers: h,
          ...(sendsBody ? { payload: body.payload } : {}),
          label: `${op.method} ${url.slice(0, 300)} ${JSON.stringify({ ...h, authorization: h.authorization?.slice(0, 20) })} ${sendsBody ? preview : ''}`,
        };
      });
  });
  return fc.oneof(...perOp);
}
