import { Type } from 'typebox';
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
  { additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' },
);

/** The standard problem responses of a route, by status code. */
export function problems<const C extends readonly number[]>(...codes: C): { [K in C[number]]: typeof ProblemSchema } {
  const out: Record<number, typeof ProblemSchema> = {};
  for (const c of codes) out[c] = ProblemSchema;
  return out as { [K in C[number]]: typeof ProblemSchema };
}

export const UuidSchema = Type.String({ format: 'uuid' });
export const DateTimeSchema = Type.String({ format: 'date-time' });
export const DateSchema = Type.String({ format: 'date', description: 'YYYY-MM-DD (Europe/Oslo)' });
