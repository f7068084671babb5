import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config';
import type { Clock } from '../domain/clock';
import { DomainError } from '../domain/errors';
import { DateTimeSchema } from '../schemas/common';

/** Body of the ops endpoints that run a background sweep now (timers, SLA, webhooks, retention). */
export const AsOfBodySchema = Type.Object(
  { asOf: Type.Optional(DateTimeSchema) },
  { title: 'RunRequest', additionalProperties: false, description: 'asOf (outside production only): run as if at that instant' },
);

/** A bare POST (no body, as ops scripts send it) means "now": the schema then sees `{}`. */
export async function emptyBodyMeansNow(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/**
 * The instant a sweep runs as: `asOf` when given (refused in production, where only real time
 * may drive timers), else the clock's now.
 */
export function resolveAsOf(asOf: string | undefined, config: Config, clock: Clock): Date {
  if (asOf === undefined) return clock.now();
  if (config.NODE_ENV === 'production') {
    throw new DomainError('validation-failed', 'asOf is not accepted in production.', {
      errors: [{ in: 'body', path: '/asOf', message: 'not allowed in production' }],
    });
  }
  return new Date(asOf);
}
