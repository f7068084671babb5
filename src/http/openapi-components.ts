/**
 * @fastify/swagger inlines a route's schemas wherever they are used. This moves every schema
 * whose `title` is a PascalCase name into components.schemas once and points at it with $ref:
 * a smaller document, and generated clients get named types (Case, Webhook, StaffMember, …).
 * Give a schema a PascalCase title in src/schemas to name it; two different schemas with the
 * same title stop the document from being built.
 */
const COMPONENT_TITLE = /^[A-Z][A-Za-z0-9]*$/;

type Json = Record<string, unknown>;

export function componentize(doc: Json): Json {
  const components = (doc.components as Json | undefined) ?? {};
  const schemas = (components.schemas as Json | undefined) ?? {};
  const seen = new Map<string, string>();

  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Json;
    const title = obj.title;
    if (typeof title === 'string' && COMPONENT_TITLE.test(title)) {
      const text = JSON.stringify(obj);
      const before = seen.get(title);
      if (before === undefined) {
        seen.set(title, text);
        schemas[title] = {}; // placeholder first: a component may contain itself
        const inner: Json = {};
        for (const [k, v] of Object.entries(obj)) inner[k] = walk(v);
        schemas[title] = inner;
      } else if (before !== text) {
        throw new Error(`Two different schemas are titled ${title}: give one of them another title`);
      }
      return { $ref: `#/components/schemas/${title}` };
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) out[k] = walk(v);
    return out;
  };

  const paths = walk(doc.paths) as Json;
  const webhooks = doc.webhooks === undefined ? {} : { webhooks: walk(doc.webhooks) as Json };
  // Problems are served as application/problem+json (RFC 9457), not as plain JSON nor as the
  // media types a download route produces.
  for (const item of Object.values(paths) as Json[]) {
    for (const op of Object.values(item) as Json[]) {
      const responses = (op?.responses ?? {}) as Record<string, Json>;
      for (const [code, res] of Object.entries(responses)) {
        const content = res.content as Record<string, { schema?: Json }> | undefined;
        const problem = Object.values(content ?? {}).find((m) => m.schema?.$ref === '#/components/schemas/Problem');
        if (Number(code) >= 400 && problem) res.content = { 'application/problem+json': problem };
      }
    }
  }
  const sorted: Json = {};
  for (const k of Object.keys(schemas).sort()) sorted[k] = schemas[k];
  return { ...doc, paths, ...webhooks, components: { ...components, schemas: sorted } };
}
