import { Type, type TSchema } from 'typebox';
import { ACCESS_LEVELS, type RouteAccess } from '../domain/access';
import { ERROR_CODES, type ErrorCode } from '../domain/errors';

/** RFC 9457 problem details, with the service's stable `code` and free extension members. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI reference identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.Enum(Object.keys(ERROR_CODES) as ErrorCode[]),
  },
  { additionalProperties: true, title: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

/** The standard problem responses of a route, by status code. */
export function problems<const C extends readonly number[]>(...codes: C): { [K in C[number]]: typeof ProblemSchema } {
  const out: Record<number, typeof ProblemSchema> = {};
  for (const c of codes) out[c] = ProblemSchema;
  return out;
}

/**
 * The problem responses a route's access declaration implies: 401 where a token is needed, 403
 * where an authenticated caller may be refused. Added to every /v1 route when it is registered,
 * so routes list only the problems their own work can answer.
 */
export function accessProblems(access: RouteAccess): Partial<Record<401 | 403, typeof ProblemSchema>> {
  const level = ACCESS_LEVELS[access];
  return { ...(level.token ? problems(401) : {}), ...(level.refusal !== null ? problems(403) : {}) };
}

export const UuidSchema = Type.String({ format: 'uuid' });
// Years 1000–2999: every real instant, and far enough from 0000 and 9999 that date arithmetic
// (a timer ten days on, a due time in working hours) never leaves what PostgreSQL and Date accept.
export const DateTimeSchema = Type.String({ format: 'date-time', pattern: '^[12][0-9]{3}-' });
export const DateSchema = Type.String({ format: 'date', description: 'YYYY-MM-DD (Europe/Oslo)' });

/**
 * A success response: `schema` with the description the document gives the response. The
 * description travels as `x-response-description` (@fastify/swagger's key), so it does not
 * become the description of a named component the schema may be.
 */
export function ok<S extends TSchema>(schema: S, description: string): S {
  return { ...schema, 'x-response-description': description };
}
