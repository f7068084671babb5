import { Type, type Static } from 'typebox';
import { StatusSchema } from './case';

const Key = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$', maxLength: 64 });
export const KeyParamsSchema = Type.Object({ key: Key }, { additionalProperties: false });
const Labels = Type.Object(
  { nb: Type.String({ minLength: 1, maxLength: 200 }), en: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

const ServiceLevelSchema = Type.Object(
  {
    firstResponseHours: Type.Integer({ minimum: 1, maximum: 2000, description: 'working hours' }),
    resolutionHours: Type.Integer({ minimum: 1, maximum: 10000, description: 'working hours' }),
  },
  { additionalProperties: false },
);

export const CategorySchema = Type.Object(
  {
    key: Type.String(),
    name: Labels,
    description: Type.Union([Type.String(), Type.Null()]),
    defaultTeamKey: Type.String(),
    sensitive: Type.Boolean(),
    form: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'Extra fields of the contact form, as JSON Schema',
    }),
    active: Type.Boolean(),
    sortOrder: Type.Integer(),
    retentionMonths: Type.Integer(),
    serviceLevel: ServiceLevelSchema,
  },
  { title: 'Category' },
);
export type CategoryDto = Static<typeof CategorySchema>;

export const PutCategorySchema = Type.Object(
  {
    name: Labels,
    description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    defaultTeamKey: Key,
    sensitive: Type.Boolean(),
    form: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
    active: Type.Optional(Type.Boolean()),
    sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
    retentionMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })),
    serviceLevel: Type.Optional(ServiceLevelSchema),
  },
  { additionalProperties: false },
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
  { additionalProperties: false },
);
export type PutTeamBody = Static<typeof PutTeamSchema>;

export const StatusEntrySchema = Type.Object({
  code: StatusSchema,
  label: Labels,
  description: Type.String(),
  transitions: Type.Object({
    operator: Type.Array(StatusSchema),
    requester: Type.Array(StatusSchema),
    system: Type.Array(StatusSchema),
  }),
  autoTransition: Type.Union([Type.Object({ to: StatusSchema, afterDays: Type.Integer(), suspendable: Type.Boolean() }), Type.Null()]),
});
