import Ajv, { type AnySchema, type Options } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Fastify's validator compiler with one difference: request BODIES are validated without type
 * coercion. JSON bodies carry their own types, so `null` stays null (accepted where the schema
 * allows it: `Type.Union([X, Type.Null()])`, refused where it does not) and `"5"` is no number;
 * with Ajv's `coerceTypes` a null became `""` and a string became a number. Query strings,
 * path parameters and headers are text on the wire and keep the coercion ('array': a single
 * `?x=a` also fills an array). Otherwise the options are Fastify's defaults, with
 * `removeAdditional: false` (an unknown property is refused, not silently dropped).
 */
const BASE: Options = { useDefaults: true, removeAdditional: false, addUsedSchema: false, allErrors: false };

function instance(coerceTypes: Options['coerceTypes'], externalSchemas: Record<string, unknown>): Ajv {
  const ajv = new Ajv({ ...BASE, coerceTypes });
  addFormats(ajv);
  for (const s of Object.values(externalSchemas)) ajv.addSchema(s as AnySchema);
  return ajv;
}

/** `schemaController.compilersFactory.buildValidator` for Fastify (src/app.ts). */
export function buildValidator(externalSchemas: Record<string, unknown> = {}) {
  const coercing = instance('array', externalSchemas);
  const exact = instance(false, externalSchemas);
  return ({ schema, httpPart }: { schema: unknown; httpPart?: string }) => {
    const ajv = httpPart === 'body' ? exact : coercing;
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id === 'string') {
      const stored = ajv.getSchema(id);
      if (stored) return stored;
    }
    return ajv.compile(schema as AnySchema);
  };
}
