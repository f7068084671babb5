import { Type, type Static } from 'typebox';
import { DateTimeSchema, UuidSchema } from './common';
import { ListCasesQuerySchema, StatusSchema } from './case';

/** At most this many saved views per user. */
export const MAX_VIEWS_PER_USER = 50;

/**
 * The filter of a saved view: the fields of the list query (GET /v1/cases), without the page
 * (limit, cursor). The same schema validates it, so a view is always a query the list accepts.
 */
const ViewFilterSchema = Type.Omit(ListCasesQuerySchema, ['limit', 'cursor'], {
  additionalProperties: false,
  title: 'ViewFilter',
  description: 'The list query (GET /v1/cases) fields of the view, without limit and cursor',
});
export type ViewFilter = Static<typeof ViewFilterSchema>;

const ViewName = Type.String({ minLength: 1, maxLength: 100, description: 'Unique among the caller’s views' });

export const SavedViewSchema = Type.Object(
  {
    id: UuidSchema,
    name: Type.String(),
    filter: ViewFilterSchema,
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  },
  { title: 'SavedView', description: 'A named case-list filter of the caller' },
);
export type SavedViewDto = Static<typeof SavedViewSchema>;

export const CreateViewSchema = Type.Object({ name: ViewName, filter: ViewFilterSchema }, { additionalProperties: false, title: 'CreateView' });
export type CreateViewBody = Static<typeof CreateViewSchema>;

export const UpdateViewSchema = Type.Object(
  { name: Type.Optional(ViewName), filter: Type.Optional(ViewFilterSchema) },
  { additionalProperties: false, minProperties: 1, title: 'UpdateView', description: 'The fields to replace' },
);
export type UpdateViewBody = Static<typeof UpdateViewSchema>;

export const ViewListSchema = Type.Array(SavedViewSchema, { description: "The caller's saved views, by name" });

export const TeamKeyParamsSchema = Type.Object(
  { key: Type.String({ maxLength: 64, pattern: '^[a-z][a-z0-9-]{0,63}$' }) },
  { additionalProperties: false },
);

export const QueueCountsSchema = Type.Object(
  {
    teamKey: Type.String(),
    byStatus: Type.Array(Type.Object({ status: StatusSchema, count: Type.Integer({ minimum: 0 }) }, { title: 'StatusCount' }), {
      description: 'Cases of the team per status, every status listed (0 included)',
    }),
    open: Type.Integer({ minimum: 0, description: 'Cases neither COMPLETED nor CLOSED' }),
    unassigned: Type.Integer({ minimum: 0, description: 'Open cases without an assignee' }),
    breached: Type.Integer({ minimum: 0, description: 'Open cases with a recorded service-level breach' }),
  },
  { title: 'QueueCounts', description: "Counts of a team's queue" },
);
export type QueueCountsDto = Static<typeof QueueCountsSchema>;
