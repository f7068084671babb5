import { ERROR_CODES, type ErrorCode } from '../domain/errors';

/** HTTP status of each domain error code: the one place codes meet HTTP. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  'invalid-transition': 409,
  'status-suspended': 409,
  'assignee-required': 409,
  'reply-required': 409,
  'case-closed': 409,
  // The request is well-formed and the case may take an assignee; the one named cannot be it.
  'unknown-assignee': 422,
  'assignee-cannot-see-case': 422,
  'template-not-applicable': 422,
  // The request is well-formed; the form is not the centre's to handle (guidance in the problem).
  'handled-by-leader': 422,
  'not-found': 404,
  forbidden: 403,
  unauthorized: 401,
  'validation-failed': 400,
  'precondition-failed': 412,
  conflict: 409,
  'idempotency-key-reused': 422,
  'service-unavailable': 503,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  'internal-error': 500,
};

/**
 * Problem `type` URIs are relative references (RFC 9457 §3.1.1 allows them) under /problems/,
 * so they stay valid whatever host the service runs on; docs/errors.md describes each.
 */
function problemType(code: ErrorCode): string {
  return `/problems/${code}`;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: ErrorCode;
  [extra: string]: unknown;
}

/** Builds an RFC 9457 problem body for a code. */
export function problem(code: ErrorCode, detail?: string, extras: Record<string, unknown> = {}): Problem {
  return {
    type: problemType(code),
    title: ERROR_CODES[code],
    status: HTTP_STATUS[code],
    ...(detail !== undefined ? { detail } : {}),
    code,
    ...extras,
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
