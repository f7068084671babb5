import { Type, type TSchema } from 'typebox';
import { ERROR_CODES, type ErrorCode } from '../domain/errors';
import { STATUSES } from '../domain/statuses';
import { HTTP_STATUS } from '../http/problems';

/**
 * One problem schema per error code (#14 point 6): the RFC 9457 members, `code` as a constant
 * and the extension members that code carries, each typed, none other. The document's error
 * responses are the `oneOf` (discriminated by `code`) of the problems of their status
 * (src/http/openapi-problems.ts), so a generated client reads `allowed` without a cast.
 *
 * Routes still serialize problems with the loose ProblemSchema (src/schemas/common.ts); the
 * test suites' contract check validates every problem sent against these closed schemas, so an
 * extension member added at a throw site without a line here fails the test that provokes it.
 */

const Status = Type.Enum(STATUSES, { description: 'Case status code' });
const Statuses = (description: string): TSchema => Type.Array(Status, { maxItems: STATUSES.length, description });

const FieldError = Type.Object(
  {
    in: Type.Enum(['body', 'querystring', 'params', 'headers'], { description: 'Where the offending value is' }),
    path: Type.String({ maxLength: 1000, description: 'JSON pointer to the value (empty: the whole part)' }),
    message: Type.String({ maxLength: 2000 }),
  },
  { title: 'FieldError', description: 'One reason a request was refused' },
);
const Errors = Type.Array(FieldError, { maxItems: 1000, description: 'Each field that was refused' });
const Reason = (description: string): TSchema => Type.String({ maxLength: 200, description });
const CurrentStatus = Type.Optional(Status);

const SuspensionWindowRef = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.String({ maxLength: 40 }),
    to: Type.String({ maxLength: 40 }),
    reason: Type.String({ maxLength: 1000 }),
  },
  { title: 'ActiveSuspensionWindow', description: 'The suspension window in force' },
);

/** The extension members each code may carry (all optional unless a throw site always sets it). */
const EXTENSIONS: Readonly<Record<ErrorCode, Record<string, TSchema>>> = {
  'invalid-transition': {
    currentStatus: Status,
    requested: Status,
    allowed: Statuses('Statuses the caller may move the case to now'),
  },
  'status-suspended': {
    currentStatus: Status,
    window: SuspensionWindowRef,
    suggestion: Status,
    allowed: Statuses('Statuses the caller may move the case to now'),
  },
  'assignee-required': { currentStatus: Status, requested: Type.Optional(Status) },
  'reply-required': { currentStatus: Status, requested: Status },
  'case-closed': {
    currentStatus: CurrentStatus,
    anonymised: Type.Optional(Type.Boolean({ description: 'The case was anonymised at the end of its retention period' })),
    allowed: Type.Optional(Statuses('Statuses the caller may move the case to now')),
    hint: Type.Optional(Type.Enum(['reopen'], { description: 'What the caller can do' })),
    mergedInto: Type.Optional(Type.String({ format: 'uuid', description: 'The case this one was merged into: write on that one' })),
    mergeRole: Type.Optional(Type.Enum(['source', 'target'], { description: 'Which side of the refused merge is closed' })),
  },
  'unknown-assignee': { assigneeId: Type.String({ maxLength: 255, description: 'The id given' }), errors: Errors },
  'assignee-cannot-see-case': { assigneeId: Type.String({ maxLength: 255, description: 'The id given' }), errors: Errors },
  'template-not-applicable': { templateKey: Type.String({ maxLength: 64, description: 'The reply template named' }) },
  'handled-by-leader': {
    categoryKey: Type.String({ maxLength: 64, description: 'The form' }),
    handledBy: Type.Enum(['leader'], { description: 'Who handles the form' }),
    guidance: Type.Object(
      { nb: Type.String({ maxLength: 2000 }), en: Type.String({ maxLength: 2000 }) },
      { title: 'LeaderGuidance', description: 'Where to send it instead, in both languages' },
    ),
  },
  'not-found': {},
  forbidden: { errors: Type.Optional(Errors) },
  unauthorized: { reason: Type.Optional(Reason('missing-token, or the verifier code of a refused token')) },
  'validation-failed': { errors: Type.Optional(Errors) },
  'precondition-failed': {
    currentVersion: Type.Optional(Type.Integer({ description: 'The version the case is at' })),
    ifMatch: Type.Optional(Type.String({ maxLength: 1000, description: 'The If-Match value that did not match' })),
  },
  conflict: {
    errors: Type.Optional(Errors),
    reason: Type.Optional(
      Type.Enum(['idempotency-key-in-progress', 'already-linked', 'already-merged', 'different-requester', 'less-protected-target'], {
        description: 'Why, when the code is not enough',
      }),
    ),
    limit: Type.Optional(Type.Integer({ description: 'The limit reached (saved views per user)' })),
    mergedInto: Type.Optional(Type.String({ format: 'uuid', description: 'already-merged: the case it went into' })),
  },
  'idempotency-key-reused': {},
  'service-unavailable': { reason: Type.Optional(Type.Enum(['statement-timeout'], { description: 'Why, when known' })) },
  'payload-too-large': {
    quota: Type.Optional(Type.Enum(['attachments-per-case', 'attachment-bytes-per-case'], { description: 'The quota reached' })),
    limit: Type.Optional(Type.Integer({ description: 'The quota' })),
    used: Type.Optional(Type.Integer({ description: 'How much of it is used' })),
  },
  'unsupported-media-type': {
    accepted: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100, description: 'The media types accepted' })),
  },
  'rate-limited': {
    limit: Type.Optional(Type.Integer({ description: 'Requests allowed at once (or per window)' })),
    retryAfterSeconds: Type.Optional(Type.Integer({ description: 'Seconds to wait (also in Retry-After)' })),
  },
  'internal-error': {},
};

function pascal(code: string): string {
  return code
    .split('-')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The component name of a code's problem schema, e.g. InvalidTransitionProblem. */
export function problemTitle(code: ErrorCode): string {
  return `${pascal(code)}Problem`;
}

function problemSchema(code: ErrorCode): TSchema {
  return Type.Object(
    {
      type: Type.String({ maxLength: 200, description: `URI reference of the problem type: /problems/${code}` }),
      title: Type.String({ maxLength: 200, description: ERROR_CODES[code] }),
      status: Type.Integer({ minimum: 400, maximum: 599 }),
      detail: Type.Optional(Type.String({ maxLength: 10_000 })),
      instance: Type.Optional(Type.String({ maxLength: 10_000 })),
      code: Type.Literal(code),
      ...EXTENSIONS[code],
    },
    {
      additionalProperties: false,
      title: problemTitle(code),
      description: `${ERROR_CODES[code]} (HTTP ${HTTP_STATUS[code]}), application/problem+json`,
    },
  );
}

/** Every code's problem schema, by code. */
export const PROBLEM_SCHEMAS: Readonly<Record<ErrorCode, TSchema>> = Object.fromEntries(
  (Object.keys(ERROR_CODES) as ErrorCode[]).map((c) => [c, problemSchema(c)]),
) as Record<ErrorCode, TSchema>;

/** The codes answered with `status` (HTTP_STATUS), for the document's per-status unions. */
export function codesWithStatus(status: number): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => HTTP_STATUS[c] === status);
}

/** The shared component schemas the problem schemas use. */
export const PROBLEM_PARTS: Readonly<Record<string, TSchema>> = { FieldError, ActiveSuspensionWindow: SuspensionWindowRef };
