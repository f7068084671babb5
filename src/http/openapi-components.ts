/**
 * Schemas that many operations share (the problem body, the case) are inlined by
 * @fastify/swagger wherever a route uses them. This moves every schema whose `title` names a
 * component into components.schemas once and points at it with $ref: a smaller document, and
 * generated clients get named types.
 */
const COMPONENT_TITLES = new Set([
  'Problem',
  'Case',
  'Message',
  'HistoryEntry',
  'Attachment',
  'Category',
  'Team',
  'CaseList',
  'CaseListItem',
  'SearchMatch',
]);

type Json = Record<string, unknown>;

export function componentize(doc: Json): Json {
  const components = (doc.components as Json | undefined) ?? {};
  const schemas = (components.schemas as Json | undefined) ?? {};

  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const obj = node as Json;
    const title = obj.title;
    if (typeof title === 'string' && COMPONENT_TITLES.has(title)) {
      if (!(title in schemas)) {
        schemas[title] = {}; // placeholder first: a component may contain itself
        const inner: Json = {};
        for (const [k, v] of Object.entries(obj)) inner[k] = walk(v);
        schemas[title] = inner;
      }
      return { $ref: `#/components/schemas/${title}` };
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) out[k] = walk(v);
    return out;
  };

  const paths = walk(doc.paths) as Json;
  // Problems are served as application/problem+json (RFC 9457), not as plain JSON.
  for (const item of Object.values(paths) as Json[]) {
    for (const op of Object.values(item) as Json[]) {
      const responses = (op?.responses ?? {}) as Record<string, Json>;
      for (const [code, res] of Object.entries(responses)) {
        const content = res.content as Record<string, { schema?: Json }> | undefined;
        const json = content?.['application/json'];
        if (Number(code) >= 400 && json?.schema?.$ref === '#/components/schemas/Problem') {
          res.content = { 'application/problem+json': json };
        }
      }
    }
  }
  const sorted: Json = {};
  for (const k of Object.keys(schemas).sort()) sorted[k] = schemas[k];
  return { ...doc, paths, components: { ...components, schemas: sorted } };
}
