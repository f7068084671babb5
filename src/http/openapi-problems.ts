import { ERROR_CODES, type ErrorCode } from '../domain/errors';
import { codesWithStatus, PROBLEM_PARTS, PROBLEM_SCHEMAS, problemTitle } from '../schemas/problems';

/**
 * The document's post-pass for what every operation can answer besides its own work (#14
 * points 3, 4 and 6), derived from the facts openapiTransform records per route (ROUTE_FACTS):
 *
 * - problem responses: 400 on every /v1 operation (malformed URL, parameters, headers, body),
 *   404 where the path names a resource, 413 and 415 where a body is read, 409 (key in
 *   progress) and 422 `idempotency-key-reused` where Idempotency-Key is honoured, 412 where
 *   If-Match is read, 429 everywhere (@fastify/rate-limit covers every route; the expensive
 *   listings have a concurrency limit too), and a shared `default` for 500 and 503;
 * - each problem response is the `oneOf` of the typed problems of its status, discriminated by
 *   `code` (src/schemas/problems.ts);
 * - response headers: WWW-Authenticate on 401 and Retry-After on 429 (both always sent),
 *   Retry-After on 409/503 when sent, the x-ratelimit-* counters and X-Request-Id on every
 *   response, Idempotent-Replayed where a replay is possible, and the headers a route declares it
 *   always sends (config.responseHeaders: ETag on each 2xx, Location on 201, Content-Disposition).
 */

type Json = Record<string, unknown>;

export type ResponseHeaderName = 'etag' | 'location' | 'content-disposition' | 'content-language';

/** What openapiTransform knows about a route, kept on the operation until this pass reads it. */
export interface RouteFacts {
  v1: boolean;
  pathParams: boolean;
  body: boolean;
  idempotencyKey: boolean;
  ifMatch: boolean;
  responseHeaders: readonly ResponseHeaderName[];
}

export const ROUTE_FACTS = 'x-route-facts';

const PROBLEM_JSON = 'application/problem+json';

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  '400': 'The request is malformed: a parameter, header or body member is refused (see `errors`)',
  '401': 'No valid bearer token',
  '403': 'The caller may not do this',
  '404': 'No such resource (or the caller may not know of it)',
  '409': 'The request conflicts with the current state (or its Idempotency-Key is still in progress)',
  '412': 'If-Match does not name the current version',
  '413': 'The body (or a quota) is too large',
  '415': 'The body has a media type the operation does not take',
  '422': 'Well-formed but refused (an assignee that cannot be, or an Idempotency-Key reused with another request)',
  '429': 'Too many requests: wait for Retry-After seconds',
  default: 'Unexpected: 500 internal-error, or 503 service-unavailable (retry after Retry-After seconds)',
};

const HEADER_COMPONENTS: Readonly<Record<string, Json>> = {
  XRequestId: {
    description: 'The request id (the X-Request-Id sent, when it is a sane token, else a new one); quote it in support requests',
    schema: { type: 'string', maxLength: 128 },
  },
  XRateLimitLimit: {
    description: 'Requests allowed per minute for the caller (absent when rate limiting is off)',
    schema: { type: 'integer', minimum: 0 },
  },
  XRateLimitRemaining: { description: 'Requests left in the current minute', schema: { type: 'integer', minimum: 0 } },
  XRateLimitReset: { description: 'Seconds until the current minute ends', schema: { type: 'integer', minimum: 0 } },
  IdempotentReplayed: {
    description: '`true` when the answer repeats the stored answer of an earlier request with the same Idempotency-Key',
    schema: { type: 'string', enum: ['true'] },
  },
};

const ref = (name: string): Json => ({ $ref: `#/components/headers/${name}` });
const COMMON_HEADERS: Json = {
  'X-Request-Id': ref('XRequestId'),
  'X-RateLimit-Limit': ref('XRateLimitLimit'),
  'X-RateLimit-Remaining': ref('XRateLimitRemaining'),
  'X-RateLimit-Reset': ref('XRateLimitReset'),
};
const retryAfter = (required: boolean): Json => ({
  description: 'Seconds to wait before retrying',
  required,
  schema: { type: 'integer', minimum: 0 },
});
/** The names as the document spells them (HTTP header names are case-insensitive). */
const HEADER_NAMES: Readonly<Record<ResponseHeaderName, string>> = {
  etag: 'ETag',
  location: 'Location',
  'content-disposition': 'Content-Disposition',
  'content-language': 'Content-Language',
};
const ROUTE_HEADERS: Readonly<Record<ResponseHeaderName, Json>> = {
  etag: { description: 'The version of the case, a strong ETag (send it as If-Match)', required: true, schema: { type: 'string', maxLength: 40 } },
  location: { description: 'The URL of the created resource', required: true, schema: { type: 'string', maxLength: 2000 } },
  'content-disposition': {
    description: 'attachment, with the file name',
    required: true,
    schema: { type: 'string', maxLength: 2000 },
  },
  'content-language': { description: 'The language of the text', required: true, schema: { type: 'string', maxLength: 35 } },
};

/** The problem statuses an operation can answer besides those its route declares. */
function derivedStatuses(f: RouteFacts): string[] {
  const out = ['429'];
  if (f.v1) out.push('400');
  if (f.v1 && f.pathParams) out.push('404');
  if (f.body) out.push('413', '415');
  if (f.idempotencyKey) out.push('409', '422');
  if (f.ifMatch) out.push('412');
  return out;
}

function problemUnion(codes: readonly ErrorCode[]): Json {
  if (codes.length === 1) return { $ref: `#/components/schemas/${problemTitle(codes[0]!)}` };
  return {
    oneOf: codes.map((c) => ({ $ref: `#/components/schemas/${problemTitle(c)}` })),
    discriminator: {
      propertyName: 'code',
      mapping: Object.fromEntries(codes.map((c) => [c, `#/components/schemas/${problemTitle(c)}`])),
    },
  };
}

function problemResponse(status: string): Json {
  const codes = status === 'default' ? (['internal-error', 'service-unavailable'] as ErrorCode[]) : codesWithStatus(Number(status));
  return {
    description: DESCRIPTIONS[status] ?? `Problem (HTTP ${status})`,
    content: { [PROBLEM_JSON]: { schema: problemUnion(codes.length > 0 ? codes : (Object.keys(ERROR_CODES) as ErrorCode[])) } },
  };
}

function addProblemComponents(schemas: Json): void {
  const parts = JSON.parse(JSON.stringify(PROBLEM_PARTS)) as Record<string, Json>;
  for (const [name, s] of Object.entries(parts)) schemas[name] = s;
  const byTitle = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(byTitle);
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Json;
    if (typeof obj.title === 'string' && obj.title in parts) return { $ref: `#/components/schemas/${obj.title}` };
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) out[k] = byTitle(v);
    return out;
  };
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    const s = JSON.parse(JSON.stringify(PROBLEM_SCHEMAS[code])) as Json;
    const inner: Json = {};
    for (const [k, v] of Object.entries(s)) inner[k] = byTitle(v);
    schemas[problemTitle(code)] = inner;
  }
}

function isProblemResponse(res: Json): boolean {
  const content = res.content as Record<string, { schema?: Json }> | undefined;
  const schema = content?.[PROBLEM_JSON]?.schema ?? content?.['application/json']?.schema;
  return schema?.$ref === '#/components/schemas/Problem';
}

const INT32 = 2 ** 31;

/**
 * Every integer gets its `format` (OWASP: clients size their types by it): int32 where its
 * declared bounds fit, else int64 (all the service's integers are JavaScript safe integers).
 */
function integerFormats(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(integerFormats);
  if (node === null || typeof node !== 'object') return;
  const s = node as Json;
  if (s.type === 'integer' && s.format === undefined) {
    const fits = typeof s.minimum === 'number' && typeof s.maximum === 'number' && s.minimum >= -INT32 && s.maximum < INT32;
    s.format = fits ? 'int32' : 'int64';
  }
  for (const v of Object.values(s)) integerFormats(v);
}

/** Applies the pass to a componentized document (in place) and returns it. */
export function contractResponses(doc: Json): Json {
  const components = (doc.components ??= {}) as Json;
  const schemas = (components.schemas ??= {}) as Json;
  addProblemComponents(schemas);
  components.headers = { ...(components.headers ?? {}), ...HEADER_COMPONENTS };

  for (const item of Object.values((doc.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const op of Object.values(item)) {
      if (!op || typeof op !== 'object') continue;
      const facts = op[ROUTE_FACTS] as RouteFacts | undefined;
      delete op[ROUTE_FACTS];
      const responses = (op.responses ??= {}) as Record<string, Json>;
      for (const status of facts ? derivedStatuses(facts) : ['429']) responses[status] ??= problemResponse(status);
      responses.default ??= problemResponse('default');

      for (const [status, res] of Object.entries(responses)) {
        const problemStatus = status === 'default' || Number(status) >= 400;
        if (problemStatus && isProblemResponse(res)) {
          const typed = problemResponse(status);
          res.content = typed.content;
          res.description = typed.description;
        }
        const headers: Json = { ...COMMON_HEADERS, ...((res.headers as Json | undefined) ?? {}) };
        if (facts?.idempotencyKey) headers['Idempotent-Replayed'] = ref('IdempotentReplayed');
        if (status === '401') {
          headers['WWW-Authenticate'] = {
            description: 'The Bearer challenge (RFC 6750), with error="invalid_token" when a token was refused',
            required: true,
            schema: { type: 'string', maxLength: 500 },
          };
        }
        if (status === '429') headers['Retry-After'] = retryAfter(true);
        if (status === '409' || status === '503' || status === 'default') headers['Retry-After'] ??= retryAfter(false);
        if (facts && /^2/.test(status)) {
          for (const h of facts.responseHeaders) {
            if (h === 'location' && status !== '201') continue;
            headers[HEADER_NAMES[h]] = ROUTE_HEADERS[h];
          }
        }
        res.headers = headers;
      }
    }
  }
  integerFormats(doc);
  // Every problem response now names its typed problems; the loose serializer schema is not one.
  // The untyped Problem stays only where something still points at it (a bulk item's problem).
  const others = Object.entries(schemas).filter(([k]) => k !== 'Problem');
  if (!JSON.stringify([doc.paths, others]).includes('"#/components/schemas/Problem"')) delete schemas.Problem;
  return doc;
}
