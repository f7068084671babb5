import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors';

/** Deeper than any body the API describes; deep enough for any form's `details`. */
export const MAX_BODY_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `max` (iterative: the check cannot overflow). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}

/**
 * Refuses JSON bodies nested deeper than MAX_BODY_DEPTH before anything walks them: JSON.parse
 * takes thousands of levels, but the recursive code after it (hashing an Idempotency-Key's body,
 * JSON.stringify into a jsonb column) would overflow the stack and answer 500.
 */
async function bodyDepthPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('preValidation', async (request) => {
    if (
      request.body !== null &&
      typeof request.body === 'object' &&
      !Buffer.isBuffer(request.body) &&
      nestsDeeperThan(request.body, MAX_BODY_DEPTH)
    ) {
      throw new DomainError('validation-failed', `The body nests deeper than ${MAX_BODY_DEPTH} levels.`, {
        errors: [{ in: 'body', path: '', message: `nested deeper than ${MAX_BODY_DEPTH} levels` }],
      });
    }
  });
}

export default fp(bodyDepthPlugin, { name: 'body-depth', fastify: '5.x' });
