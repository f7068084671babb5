/**
 * The coded error catalogue. Services throw `DomainError`s; the HTTP edge maps each code to a
 * status and an RFC 9457 problem (src/http/problems.ts). Codes are stable: clients match on them.
 */
export const ERROR_CODES = {
  'invalid-transition': 'Transition not allowed',
  'status-suspended': 'Status suspended by a suspension window',
  'assignee-required': 'The status needs an assignee',
  'reply-required': 'The status needs a public reply',
  'case-closed': 'The case is closed',
  'unknown-assignee': 'Unknown assignee',
  'assignee-cannot-see-case': 'The assignee cannot handle this case',
  'template-not-applicable': 'The reply template does not fit this case',
  'handled-by-leader': 'The form is handled by your leader',
  'not-found': 'Not found',
  forbidden: 'Forbidden',
  unauthorized: 'Unauthorized',
  'validation-failed': 'Invalid request',
  'precondition-failed': 'Precondition failed',
  conflict: 'Conflict',
  'idempotency-key-reused': 'Idempotency key reused with another request',
  'service-unavailable': 'Service unavailable',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'rate-limited': 'Too many requests',
  'internal-error': 'Internal server error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A refusal by a rule of the domain (or of access), carrying extra problem members. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly extras: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, detail: string, extras: Record<string, unknown> = {}) {
    super(detail);
    this.name = 'DomainError';
    this.code = code;
    this.extras = extras;
  }
}

/** Whether `e` is a DomainError (also across module copies in tests). */
export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'DomainError');
}
