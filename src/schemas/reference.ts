import { Type, type Static } from 'typebox';
import { StatusSchema } from './case';
import { NoticeSchema } from './notices';
import { LocalizedLabelSchema, LocalizedTextSchema } from './texts';

const Key = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$', maxLength: 64 });
export const KeyParamsSchema = Type.Object({ key: Key }, { additionalProperties: false });
const Labels = LocalizedLabelSchema;

const HandledBySchema = Type.Union([Type.Literal('centre'), Type.Literal('leader')], {
  description: "Who handles the form: the service centre, or the person's leader (filing it at the centre is refused)",
});
export type HandledBy = Static<typeof HandledBySchema>;

const PriorityTargetSchema = Type.Object(
  {
    firstResponseHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, description: 'working hours' })),
    resolutionHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, description: 'working hours' })),
  },
  {
    additionalProperties: false,
    title: 'PriorityTarget',
    description: 'Targets for cases of one priority; an override only shortens the category target',
  },
);

const ServiceLevelSchema = Type.Object(
  {
    firstResponseHours: Type.Integer({ minimum: 1, maximum: 2000, description: 'working hours' }),
    resolutionHours: Type.Integer({ minimum: 1, maximum: 10000, description: 'working hours' }),
    byPriority: Type.Optional(
      Type.Object(
        {
          low: Type.Optional(PriorityTargetSchema),
          normal: Type.Optional(PriorityTargetSchema),
          high: Type.Optional(PriorityTargetSchema),
          urgent: Type.Optional(PriorityTargetSchema),
        },
        {
          additionalProperties: false,
          title: 'PriorityTargets',
          description: "Per-priority targets: a case of that priority gets the shorter of these and the category's (docs/service-levels.md)",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The members of a category: the list's and the PUT's answer, and with its notices the detail. */
const categoryProperties = () => ({
  key: Type.String(),
  name: Labels,
  description: Type.Union([Type.String(), Type.Null()], {
    description: 'The English description (kept for older clients; localizedDescription has both languages)',
  }),
  localizedDescription: Type.Union([LocalizedTextSchema, Type.Null()]),
  handledBy: HandledBySchema,
  guidance: Type.Union([LocalizedTextSchema, Type.Null()], {
    description: 'Where to go instead, for a form handled by the leader',
  }),
  defaultTeamKey: Type.String(),
  sensitive: Type.Boolean(),
  form: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description:
      'Extra fields of the contact form, as JSON Schema; each field has `title` (English) and `x-title`/`x-description` {nb, en}; ' +
      'a field with `enum` has `x-enum-labels`: a label {nb, en} per value, keyed by the value (a case stores the value)',
  }),
  active: Type.Boolean(),
  sortOrder: Type.Integer(),
  retentionMonths: Type.Integer(),
  serviceLevel: ServiceLevelSchema,
});

export const CategorySchema = Type.Object(categoryProperties(), { title: 'Category' });
export type CategoryDto = Static<typeof CategorySchema>;

export const CategoryDetailSchema = Type.Object(
  { ...categoryProperties(), notices: Type.Array(NoticeSchema, { description: 'The notices active now that concern the category' }) },
  { title: 'CategoryDetail' },
);
export type CategoryDetailDto = Static<typeof CategoryDetailSchema>;

export const PutCategorySchema = Type.Object(
  {
    name: Labels,
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { description: 'English description (older clients)' })),
    localizedDescription: Type.Optional(
      Type.Union([LocalizedTextSchema, Type.Null()], { description: 'Wins over description; its en must equal description when both are given' }),
    ),
    handledBy: Type.Optional(HandledBySchema),
    guidance: Type.Optional(Type.Union([LocalizedTextSchema, Type.Null()], { description: "Required when handledBy is 'leader'" })),
    defaultTeamKey: Key,
    sensitive: Type.Boolean(),
    form: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
        description:
          'JSON Schema of the extra fields. Every `enum` needs `x-enum-labels` with a label {nb, en} for each of its values ' +
          'and for nothing else (400 otherwise); `x-title`/`x-description` {nb, en} are optional',
      }),
    ),
    active: Type.Optional(Type.Boolean()),
    sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    retentionMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
    serviceLevel: Type.Optional(ServiceLevelSchema),
  },
  { title: 'PutCategoryRequest', additionalProperties: false },
);
export type PutCategoryBody = Static<typeof PutCategorySchema>;

export const TeamSchema = Type.Object(
  {
    key: Type.String(),
    name: Labels,
    email: Type.Union([Type.String(), Type.Null()]),
  },
  { title: 'Team' },
);
export type TeamDto = Static<typeof TeamSchema>;

export const PutTeamSchema = Type.Object(
  { name: Labels, email: Type.Optional(Type.Union([Type.String({ format: 'email' }), Type.Null()])) },
  { title: 'PutTeamRequest', additionalProperties: false },
);
export type PutTeamBody = Static<typeof PutTeamSchema>;

export const StatusEntrySchema = Type.Object(
  {
    code: StatusSchema,
    label: Labels,
    description: Type.String({ description: 'English (kept for older clients)' }),
    localizedDescription: LocalizedTextSchema,
    transitions: Type.Object({
      operator: Type.Array(StatusSchema),
      requester: Type.Array(StatusSchema),
      system: Type.Array(StatusSchema),
    }),
    autoTransition: Type.Union([Type.Object({ to: StatusSchema, afterDays: Type.Integer(), suspendable: Type.Boolean() }), Type.Null()]),
  },
  { title: 'StatusEntry' },
);
