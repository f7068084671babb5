import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The contract check of the integration suites (#14): every response an app of createTestApp
 * sends is compared with the OpenAPI document the same app serves (`app.swagger()`):
 *
 * - the status is declared for the operation (exactly, or by a `4XX`/`default` response);
 * - every response header the document marks `required` is sent;
 * - the content type is one the response declares (none declared: no body may be sent);
 * - a JSON body validates against the declared schema (Ajv 2020, formats, $refs resolved), with
 *   every object of the schema closed: a field the document does not name fails.
 *
 * A violation turns the response into a loud 500 (header `x-contract-violation`, the violation
 * as the problem's detail), so the test that caused it fails there, and is recorded so that
 * `close()` of the test app and a global afterAll (test/helpers/contract-setup.ts) fail too.
 *
 * Exempt, because the document cannot describe them: requests that match no route (the
 * not-found handler: any path is possible), routes hidden from the document (`/openapi.json`,
 * the Swagger UI assets under `/docs`), HEAD (Fastify's automatic twin of each GET) and CORS
 * preflights (OPTIONS, answered by @fastify/cors).
 */

type Json = Record<string, unknown>;

interface MediaType {
  schema?: Json;
}
interface ResponseObject {
  headers?: Record<string, { required?: boolean; schema?: Json } | { $ref: string }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses?: Record<string, ResponseObject | { $ref: string }>;
}

export interface ContractViolation {
  method: string;
  route: string;
  url: string;
  status: number;
  message: string;
}

/** Every violation any test app of this test file met (the global check reads it). */
export const contractViolations: ContractViolation[] = [];

const DOC_ID = 'https://contract.test/openapi.json';

/** `/v1/cases/:id` → `/v1/cases/{id}` (the document's path of a Fastify route). */
function openapiPath(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Rewrites local $refs to point into the document schema registered under DOC_ID. */
function absoluteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(absoluteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? DOC_ID + v : absoluteRefs(v);
  }
  return out;
}

/**
 * Closes every object schema that lists its properties and says nothing about others: the
 * service's serializer drops undeclared fields, so a field that reaches a client undeclared is a
 * hole in the document (a schema saying `additionalProperties: true`, or a body sent around the
 * serializer).
 */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = closeObjects(v);
  if (out.properties && typeof out.properties === 'object' && !('additionalProperties' in out) && !('patternProperties' in out)) {
    out.additionalProperties = false;
  }
  return out;
}

function resolve<T>(doc: Json, node: T | { $ref: string }): T {
  let cur: unknown = node;
  while (cur && typeof cur === 'object' && '$ref' in cur && typeof cur.$ref === 'string') {
    const ref = (cur as { $ref: string }).$ref;
    cur = ref
      .replace(/^#\//, '')
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((acc, key) => (acc as Json | undefined)?.[key], doc);
  }
  return cur as T;
}

function mediaMatches(declared: string, actual: string): boolean {
  if (declared === '*/*' || declared === actual) return true;
  if (declared.endsWith('/*')) return actual.startsWith(declared.slice(0, -1));
  return false;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => {
      const at = e.instancePath === '' ? '/' : e.instancePath;
      const extra =
        e.keyword === 'additionalProperties'
          ? ` (undocumented field "${String((e.params as { additionalProperty?: string }).additionalProperty)}")`
          : e.keyword === 'enum' || e.keyword === 'const'
            ? ` (allowed: ${JSON.stringify((e.params as { allowedValues?: unknown; allowedValue?: unknown }).allowedValues ?? (e.params as { allowedValue?: unknown }).allowedValue)})`
            : '';
      return `body${at} ${e.message ?? e.keyword}${extra} [schema ${e.schemaPath}]`;
    })
    .join('; ');
}

/** A validator of responses against one app's served document, compiled lazily. */
export class ContractChecker {
  private doc: Json | null = null;
  private ajv: Ajv2020 | null = null;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly app: FastifyInstance) {}

  private load(): { doc: Json; ajv: Ajv2020 } {
    if (this.doc && this.ajv) return { doc: this.doc, ajv: this.ajv };
    const doc = JSON.parse(JSON.stringify(this.app.swagger())) as Json;
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, discriminator: false });
    addFormats(ajv);
    ajv.addFormat('binary', true);
    ajv.addSchema({ $id: DOC_ID, components: closeObjects(absoluteRefs(doc.components ?? {})) });
    this.doc = doc;
    this.ajv = ajv;
    return { doc, ajv };
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.load().ajv.compile(closeObjects(absoluteRefs(schema)) as Json);
      this.compiled.set(key, v);
    }
    return v;
  }

  /** What is wrong with one response, or null; `undefined` when the response is exempt. */
  check(request: FastifyRequest, reply: FastifyReply, payload: unknown): string | null | undefined {
    const route = request.routeOptions.url;
    const method = request.method.toLowerCase();
    if (route === undefined || request.is404 || method === 'head' || method === 'options') return undefined;
    const { doc } = this.load();
    const path = openapiPath(route);
    const op = (doc.paths as Record<string, Record<string, Operation>> | undefined)?.[path]?.[method];
    if (!op) {
      const schema = request.routeOptions.schema;
      if (schema?.hide) return undefined;
      return `the operation is not in the document`;
    }
    const status = reply.statusCode;
    const responses = op.responses ?? {};
    const key = String(status) in responses ? String(status) : `${String(status)[0]}XX` in responses ? `${String(status)[0]}XX` : 'default';
    const declared = responses[key];
    const declaredList = Object.keys(responses).join(', ');
    if (!declared) return `status ${status} is not declared (declared: ${declaredList})`;
    // The shared `default` describes the unexpected (500, 503); another status that falls to it
    // is an undeclared one, and is reported as such rather than as a body mismatch.
    const fellToDefault = key === 'default' && status !== 500 && status !== 503;
    if (fellToDefault) return `status ${status} is not declared (declared: ${declaredList}; default is for 500/503)`;
    const res = resolve<ResponseObject>(doc, declared);

    const problems: string[] = [];
    for (const [name, h] of Object.entries(res.headers ?? {})) {
      const header = resolve<{ required?: boolean }>(doc, h);
      if (header.required && reply.getHeader(name) === undefined) problems.push(`required header ${name} was not sent`);
    }

    const rawType = reply.getHeader('content-type');
    const contentType = typeof rawType === 'string' ? rawType.split(';')[0]!.trim().toLowerCase() : undefined;
    // Fastify drops the body of a 204 or 304 after onSend, whatever the handler gave.
    const hasBody =
      status !== 204 && status !== 304 && payload !== null && payload !== undefined && !(typeof payload === 'string' && payload.length === 0);
    const content = res.content ?? {};
    const mediaTypes = Object.keys(content);
    if (mediaTypes.length === 0) {
      if (hasBody) problems.push(`a body (${contentType ?? 'no content type'}) was sent but response ${key} declares no content`);
      return problems.length ? problems.join('; ') : null;
    }
    if (!hasBody) {
      problems.push(`no body was sent but response ${key} declares ${mediaTypes.join(', ')}`);
      return problems.join('; ');
    }
    const media = contentType === undefined ? undefined : mediaTypes.find((m) => mediaMatches(m, contentType));
    if (media === undefined) {
      problems.push(`content type ${contentType ?? '(none)'} is not declared for ${key} (declared: ${mediaTypes.join(', ')})`);
      return problems.join('; ');
    }
    const schema = content[media]?.schema;
    if (schema && schema.format !== 'binary' && isJson(contentType!) && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      let body: unknown;
      try {
        body = JSON.parse(String(payload));
      } catch {
        problems.push(`the ${contentType} body is not JSON`);
        return problems.join('; ');
      }
      const validate = this.validator(`${path} ${method} ${key} ${media}`, schema);
      if (!validate(body)) problems.push(describeErrors(validate.errors));
    }
    return problems.length ? problems.join('; ') : null;
  }
}

/**
 * Installs the check on an app (before its routes are registered, so the hook covers them).
 * Violations are pushed to `sink` and to contractViolations.
 */
export function installContractCheck(app: FastifyInstance, sink: ContractViolation[]): void {
  const checker = new ContractChecker(app);
  app.addHook('onSend', async (request, reply, payload) => {
    let message: string | null | undefined;
    try {
      message = checker.check(request, reply, payload);
    } catch (err) {
      message = `the contract check itself failed: ${(err as Error).message}`;
    }
    if (!message) return payload;
    const violation: ContractViolation = {
      method: request.method,
      route: request.routeOptions.url ?? '(no route)',
      url: request.url,
      status: reply.statusCode,
      message,
    };
    sink.push(violation);
    contractViolations.push(violation);
    const text = formatViolation(violation);
    void reply.status(500).header('x-contract-violation', 'true').type('application/problem+json');
    reply.removeHeader('content-length');
    return JSON.stringify({ type: '/problems/contract-violation', title: 'Contract violation', status: 500, detail: text });
  });
}

export function formatViolation(v: ContractViolation): string {
  return `${v.method} ${v.route} (${v.url}) answered ${v.status}, which the OpenAPI document does not allow: ${v.message}`;
}
