import { isDomainError } from '../domain/errors';
import { isDatabaseUnavailable } from '../plugins/errors';
import { problem, type Problem } from './problems';

function isRetryableConflict(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const o = e as { code?: unknown; originalCode?: unknown; cause?: unknown };
    if (['40001', '40P01'].includes(String(o.code)) || ['40001', '40P01'].includes(String(o.originalCode))) return true;
    e = o.cause;
  }
  return false;
}

/**
 * The problem one item of a bulk request answers, as the error handler would answer the item
 * alone. `unexpected` says whether the error is a bug worth logging (its details stay out).
 */
export function itemProblem(err: unknown): { problem: Problem; unexpected: boolean } {
  if (isDomainError(err)) return { problem: problem(err.code, err.message, { ...err.extras }), unexpected: false };
  if (isDatabaseUnavailable(err)) {
    return { problem: problem('service-unavailable', 'The database is unavailable; retry the operation.'), unexpected: false };
  }
  if (isRetryableConflict(err)) {
    return { problem: problem('conflict', 'The case changed concurrently; retry the operation.'), unexpected: false };
  }
  return { problem: problem('internal-error', 'An unexpected error occurred. It has been logged.'), unexpected: true };
}
