import { Type, type Static } from 'typebox';
import { RESOLUTIONS, STATUSES } from '../domain/statuses';
import { MAX_TAGS, PRIORITIES, TAG_MAX_LENGTH } from '../domain/triage';
import { DateTimeSchema, UuidSchema } from './common';
import { CaseSlaSchema } from './service-level';

/** The status enum, derived from the one status list. */
export const StatusSchema = Type.Enum(STATUSES, { description: 'Case status code' });
const ChannelSchema = Type.Enum(['portal', 'phone', 'email', 'post', 'api']);
/** Staff triage: requesters neither set nor see it (docs/queues.md). */
const PrioritySchema = Type.Union(
  [Type.Literal(PRIORITIES[0]), Type.Literal(PRIORITIES[1]), Type.Literal(PRIORITIES[2]), Type.Literal(PRIORITIES[3])],
  { description: 'Priority set by staff: low, normal (default), high, urgent' },
);
const TagSchema = Type.String({ minLength: 1, maxLength: TAG_MAX_LENGTH * 2, description: 'A free staff tag (stored trimmed, lower-case, NFC)' });
const TagsSchema = Type.Array(TagSchema, { maxItems: MAX_TAGS * 2 });
const VisibilitySchema = Type.Union([Type.Literal('public'), Type.Literal('internal')]);
const ResolutionSchema = Type.Enum(RESOLUTIONS, {
  description: 'How the case ended: solved (put right) or answered (the question was answered)',
});

const Name = Type.String({ minLength: 1, maxLength: 200 });
const EmployeeNumber = Type.String({ pattern: '^[0-9]{1,12}$', maxLength: 12, description: 'ansattnummer' });

const ExternalRequesterSchema = Type.Object(
  {
    name: Name,
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    phone: Type.Optional(Type.String({ pattern: '^[+0-9 ()-]{3,30}$', maxLength: 30 })),
    address: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false, description: 'Someone without a Feide account, registered by an operator' },
);

const ConcernsEmployeeSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Feide id' })),
    name: Name,
    employeeNumber: Type.Optional(EmployeeNumber),
  },
  { additionalProperties: false, description: 'The employee a leader files about' },
);

export const CreateCaseSchema = Type.Object(
  {
    categoryKey: Type.String({ minLength: 1, maxLength: 64 }),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ minLength: 1, maxLength: 20000 }),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Extra fields of the category's form" })),
    requesterId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description: 'Staff: the Feide id of the employee the case is filed for (phone, e-mail, post); they become its requester',
      }),
    ),
    employeeNumber: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,12}$',
        maxLength: 12,
        description:
          "ansattnummer. Staff naming another employee's number file the case for that employee (resolved through the person directory, or tied to them when they first sign in)",
      }),
    ),
    concernsEmployee: Type.Optional(ConcernsEmployeeSchema),
    channel: Type.Optional(ChannelSchema),
    externalRequester: Type.Optional(ExternalRequesterSchema),
    language: Type.Optional(Type.Enum(['nb', 'en'], { description: "Language of the requester's mails; default: the token's locale, else nb" })),
    priority: Type.Optional({ ...PrioritySchema, description: 'Staff only (403 for anyone else); default normal' }),
  },
  { title: 'CreateCaseRequest', additionalProperties: false },
);
export type CreateCaseBody = Static<typeof CreateCaseSchema>;

export const AttachmentSchema = Type.Object(
  {
    id: UuidSchema,
    filename: Type.String(),
    contentType: Type.String(),
    size: Type.Integer(),
    sha256: Type.String(),
    uploadedBy: Type.Object({ id: Type.String(), role: Type.String() }),
    createdAt: DateTimeSchema,
  },
  { title: 'Attachment' },
);
export type AttachmentDto = Static<typeof AttachmentSchema>;

/**
 * The multipart/form-data body of an upload, for the document (the handler reads it with
 * @fastify/multipart): one part named `file`. Swagger UI shows a file picker for it.
 */
export const UploadBodySchema = Type.Object(
  {
    file: Type.Unsafe<Blob>({
      type: 'string',
      format: 'binary',
      contentMediaType: 'application/octet-stream',
      description: "The file; its part's Content-Type must be one of ATTACHMENT_TYPES and match its bytes",
    }),
  },
  { required: ['file'], additionalProperties: false, title: 'AttachmentUpload' },
);

export const CaseSchema = Type.Object(
  {
    id: UuidSchema,
    number: Type.String({
      description:
        'Human case number, YYYY-NNNNNN: the year (Oslo) and a sequence number of at least six digits (a seventh past 999,999 cases in a year)',
    }),
    status: StatusSchema,
    statusChangedAt: DateTimeSchema,
    categoryKey: Type.String(),
    teamKey: Type.String(),
    sensitive: Type.Boolean(),
    assigneeId: Type.Union([Type.String(), Type.Null()]),
    subject: Type.String(),
    description: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
    channel: ChannelSchema,
    requester: Type.Object({
      id: Type.Union([Type.String(), Type.Null()]),
      name: Type.Union([Type.String(), Type.Null()]),
      employeeNumber: Type.Union([Type.String(), Type.Null()]),
      external: Type.Union([ExternalRequesterSchema, Type.Null()]),
    }),
    concernsEmployee: Type.Union([ConcernsEmployeeSchema, Type.Null()]),
    filedBy: Type.Object({ id: Type.String(), role: Type.String() }),
    version: Type.Integer({ description: 'Also the ETag' }),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
    anonymisedAt: Type.Union([DateTimeSchema, Type.Null()], {
      description: 'When retention removed the personal data of this closed case (null: not anonymised)',
    }),
    resolution: Type.Union([ResolutionSchema, Type.Null()], {
      description: 'How the case ended, once COMPLETED (kept when it closes; null while it is worked on)',
    }),
    mergedInto: Type.Union([UuidSchema, Type.Null()], {
      description: 'The case this one was merged into (it is then CLOSED); null when it was not merged',
    }),
    allowedTransitions: Type.Array(StatusSchema, { description: 'Statuses the caller may move the case to now' }),
    autoTransition: Type.Union([Type.Object({ to: StatusSchema, dueAt: DateTimeSchema }), Type.Null()], {
      description: 'The pending timed transition, if any',
    }),
    sla: CaseSlaSchema,
    priority: Type.Optional({ ...PrioritySchema, description: 'Staff view only: absent in the view of a requester' }),
    tags: Type.Optional(
      Type.Array(Type.String(), { description: 'Staff view only: free tags, normalised (trimmed, lower-case, NFC), deduplicated and sorted' }),
    ),
    attachments: Type.Optional(Type.Array(AttachmentSchema)),
  },
  { title: 'Case' },
);
export type CaseDto = Static<typeof CaseSchema>;

const SearchFieldSchema = Type.Union(
  [
    Type.Literal('number'),
    Type.Literal('requester'),
    Type.Literal('concernedEmployee'),
    Type.Literal('subject'),
    Type.Literal('description'),
    Type.Literal('messages'),
    Type.Literal('internalNotes'),
  ],
  { description: 'A part of the case that matched the search' },
);

const SearchMatchSchema = Type.Object(
  {
    snippet: Type.String({
      description:
        'Plain text (never HTML) cut from the first text part that matched (subject, description, messages, internal notes), ' +
        'else the subject; each matched word is between « and » (U+00AB, U+00BB), which never occur otherwise: the source ' +
        'text has them replaced by ". Render it as text and turn the markers into highlights.',
    }),
    fields: Type.Array(SearchFieldSchema, { description: 'Which parts of the case matched' }),
  },
  { title: 'SearchMatch', additionalProperties: false, description: 'Why a case was found by the search (q)' },
);

const CaseListItemSchema = Type.Object(
  { ...CaseSchema.properties, match: Type.Optional(SearchMatchSchema) },
  { title: 'CaseListItem', description: 'A case as listed; with `match` when the listing searched (q)' },
);
export type CaseListItemDto = Static<typeof CaseListItemSchema>;

export const CaseListSchema = Type.Object(
  {
    items: Type.Array(CaseListItemSchema),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'CaseList', description: 'A page of cases and the cursor of the next page (null on the last)' },
);

/**
 * The queue filters of the list (#16 point 2). Kept apart from the other filters so the list
 * query and saved views (src/schemas/view.ts) share them; docs/queues.md.
 */
const QueueFilterFields = {
  unassigned: Type.Optional(Type.Boolean({ description: 'true: cases without an assignee; false: cases with one' })),
  breached: Type.Optional(
    Type.Boolean({ description: 'true: cases with a recorded service-level breach (either target); false: cases without one' }),
  ),
  dueBefore: Type.Optional({
    ...DateTimeSchema,
    description: 'Cases whose nearer open due time (first response if unmet, else resolution if unresolved) is before this instant',
  }),
  priority: Type.Optional(Type.Array(PrioritySchema, { maxItems: 4, description: 'Staff only: one or more priorities (repeat the parameter)' })),
  tag: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: TAG_MAX_LENGTH * 2 }), {
      maxItems: 10,
      description: 'Staff only: cases carrying all these tags (repeat the parameter; normalised like the tags)',
    }),
  ),
};

const SortSchema = Type.Union(
  [Type.Literal('created'), Type.Literal('updated'), Type.Literal('relevance'), Type.Literal('resolutionDueAt'), Type.Literal('firstResponseDueAt')],
  {
    description:
      'created, updated: newest first; relevance: best match first among the newest 1,000 matches (needs q; older ones: sort=created or ' +
      'createdTo); resolutionDueAt, firstResponseDueAt: soonest ' +
      'first, cases without a computed due time last (not with q). Default: relevance with q, else created',
  },
);

export const ListCasesQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Array(StatusSchema, { maxItems: 20, description: 'One or more statuses (repeat the parameter)' })),
    category: Type.Optional(Type.String({ maxLength: 255 })),
    team: Type.Optional(Type.String({ maxLength: 255 })),
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A staff id, or `me` for the caller' })),
    requester: Type.Optional(Type.String({ maxLength: 255 })),
    createdFrom: Type.Optional(DateTimeSchema),
    createdTo: Type.Optional(DateTimeSchema),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Search: a case number (2026-000123), an employee number, Feide id or name of the requester or the concerned ' +
          'employee, or words of the subject, description and messages (internal notes too, for staff who handle the ' +
          'case); Norwegian and English stemming, the last word also as a prefix; every word must match. Items carry ' +
          '`match`. At most 10 words are used. See docs/search.md.',
      }),
    ),
    ...QueueFilterFields,
    sort: Type.Optional(SortSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ListCasesQuery = Static<typeof ListCasesQuerySchema>;

export const PatchCaseSchema = Type.Object(
  {
    assigneeId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
    teamKey: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    categoryKey: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    cc: Type.Optional(
      Type.Array(Type.String({ format: 'email', maxLength: 320 }), {
        maxItems: 10,
        description: 'Extra recipients of the mails about the case (replaces the list)',
      }),
    ),
    priority: Type.Optional(PrioritySchema),
    tags: Type.Optional({ ...TagsSchema, description: 'Replaces the tags (staff only; normalised, at most 20 distinct)' }),
  },
  { title: 'UpdateCaseRequest', additionalProperties: false, minProperties: 1 },
);
export type PatchCaseBody = Static<typeof PatchCaseSchema>;

export const TransitionSchema = Type.Object(
  {
    to: StatusSchema,
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    reply: Type.Optional(Type.String({ minLength: 1, maxLength: 20000, description: 'A public reply written with the move' })),
    assigneeId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    onBehalfOfRequester: Type.Optional(Type.Boolean({ description: 'An operator acts for the external requester of the case (close, reopen)' })),
    resolution: Type.Optional({
      ...ResolutionSchema,
      description: 'With `to: COMPLETED` only: solved (default) or answered. A wait that runs out completes a case as answered.',
    }),
  },
  { title: 'TransitionRequest', additionalProperties: false },
);
export type TransitionBody = Static<typeof TransitionSchema>;

export const CreateMessageSchema = Type.Object(
  {
    body: Type.Optional(Type.String({ minLength: 1, maxLength: 20000, description: 'The text; give this or `templateKey`' })),
    templateKey: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[a-z0-9][a-z0-9-]*$',
        description: 'A reply template (staff): the service fills its placeholders in the case language and stores the result as the body',
      }),
    ),
    visibility: Type.Optional(VisibilitySchema),
    setStatus: Type.Optional(StatusSchema),
    resolution: Type.Optional({ ...ResolutionSchema, description: 'With `setStatus: COMPLETED` only (default solved)' }),
    onBehalfOfRequester: Type.Optional(Type.Boolean({ description: "An operator records the external requester's message (phone, e-mail)" })),
  },
  { title: 'CreateMessageRequest', additionalProperties: false },
);
export type CreateMessageBody = Static<typeof CreateMessageSchema>;

export const MessageSchema = Type.Object(
  {
    id: UuidSchema,
    caseId: UuidSchema,
    author: Type.Object({ id: Type.String(), role: Type.String(), onBehalfOf: Type.Union([Type.String(), Type.Null()]) }),
    visibility: VisibilitySchema,
    body: Type.String(),
    createdAt: DateTimeSchema,
  },
  { title: 'Message' },
);
export type MessageDto = Static<typeof MessageSchema>;

export const MessageResultSchema = Type.Object({ message: MessageSchema, case: CaseSchema }, { title: 'MessageResult' });

export const HistorySchema = Type.Object(
  {
    id: Type.String(),
    at: DateTimeSchema,
    actor: Type.Object({ id: Type.String(), role: Type.String(), onBehalfOf: Type.Union([Type.String(), Type.Null()]) }),
    field: Type.String({
      description:
        'created, status, resolution, assignee, team, category, subject, priority, tags, message, attachment, merged_into, merged_from, link',
    }),
    from: Type.Union([Type.String(), Type.Null()]),
    to: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    internal: Type.Boolean(),
  },
  { title: 'HistoryEntry' },
);
export type HistoryDto = Static<typeof HistorySchema>;

export const IdParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false });
