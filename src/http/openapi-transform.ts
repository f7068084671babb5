import type { FastifySchema, RouteOptions } from 'fastify';
import { honoursIdempotencyKey, IDEMPOTENCY_HEADER } from '../plugins/idempotency';
import { emptyBodyMeansNow } from './as-of';
import { ROUTE_FACTS, type ResponseHeaderName, type RouteFacts } from './openapi-problems';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Headers the route sends on every success (documented as required, src/http/openapi-problems.ts). */
    responseHeaders?: readonly ResponseHeaderName[];
  }
}

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The multipart/form-data body of an upload route, for the document only: @fastify/multipart
     * reads such bodies in the handler, so Fastify validates no body schema for them.
     */
    [MULTIPART_BODY]?: unknown;
  }
}

/** Route-schema key of an upload's multipart body (see FastifySchema above). */
export const MULTIPART_BODY = 'x-multipart-body';

type Schema = Record<string, unknown> & {
  hide?: boolean;
  operationId?: string;
  security?: unknown;
  consumes?: string[];
  headers?: { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;
};

/**
 * @fastify/swagger transform: fills what every operation of the document needs and routes would
 * otherwise repeat. Every route names its operationId (a route without one stops the document
 * from being built: generated clients name their functions after it); no security where none was set
 * (the /v1 routes get theirs, and their 401/403 problems, from their declared access when they
 * are registered: src/routes/v1/index.ts); and the Idempotency-Key header on the POSTs the
 * idempotency plugin covers. The route's own schema object is not changed (it also drives
 * validation).
 */
export function openapiTransform({ schema, url, route }: { schema: unknown; url: string; route: RouteOptions }): {
  schema: FastifySchema;
  url: string;
} {
  const s = (schema ?? {}) as Schema;
  if (s.hide) return { schema: s as FastifySchema, url };
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  if (!s.operationId) throw new Error(`${method} ${url}: give the route an explicit operationId (verbNoun, e.g. getCase)`);
  const out: Schema = { ...s, security: s.security ?? [] };
  const multipart = (s.consumes ?? []).some((c) => c.startsWith('multipart/'));
  if (s[MULTIPART_BODY] !== undefined) {
    delete out[MULTIPART_BODY];
    out.body = { content: { 'multipart/form-data': { schema: s[MULTIPART_BODY] } } };
  }
  const idempotencyKey = url.startsWith('/v1/') && honoursIdempotencyKey(method, route.config, multipart);
  const facts: RouteFacts = {
    v1: url.startsWith('/v1/'),
    pathParams: /[:{]/.test(url),
    body: s.body !== undefined || multipart,
    idempotencyKey,
    ifMatch: s.headers?.properties?.['if-match'] !== undefined,
    responseHeaders: route.config?.responseHeaders ?? [],
  };
  out[ROUTE_FACTS] = facts;
  if (idempotencyKey) {
    out.headers = {
      ...(s.headers ?? { type: 'object' }),
      properties: {
        ...(s.headers?.properties ?? {}),
        [IDEMPOTENCY_HEADER]: {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          description:
            'Makes a retry safe: the same key and body within IDEMPOTENCY_TTL_HOURS (default 24 h) answer the first ' +
            'response again without doing the work; the same key with another body is 422 idempotency-key-reused.',
        },
      },
    };
  }
  // A body the route lets clients leave out (emptyBodyMeansNow) is not a required one:
  // @fastify/swagger marks every body required, so the document's post-pass clears it.
  const pre = route.preValidation;
  if (pre === emptyBodyMeansNow || (Array.isArray(pre) && pre.includes(emptyBodyMeansNow))) out[OPTIONAL_BODY] = true;
  return { schema: out as FastifySchema, url };
}

/** Marks an operation whose request body may be omitted, until optionalBodies() reads it. */
const OPTIONAL_BODY = 'x-optional-body';

/** The document's post-pass for OPTIONAL_BODY: `requestBody.required: false`, marker removed. */
export function optionalBodies(doc: { paths?: Record<string, Record<string, Record<string, unknown>>> }): void {
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      if (!op || typeof op !== 'object' || !(OPTIONAL_BODY in op)) continue;
      delete op[OPTIONAL_BODY];
      const body = op.requestBody as { required?: boolean } | undefined;
      if (body) body.required = false;
    }
  }
}
