import { Type, type Static } from 'typebox';
import { DateTimeSchema, UuidSchema } from './common';
import { LocalizedLabelSchema, LocalizedTextSchema } from './texts';

const CategoryKey = Type.String({ maxLength: 64, pattern: '^[a-z][a-z0-9-]{0,63}$' });

/**
 * An https URL: no other scheme (a `javascript:` or `data:` link in a front end would run code),
 * no whitespace or control characters, no user info.
 */
const HttpsLinkSchema = Type.String({
  format: 'uri',
  pattern: '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\\s@]*)?$',
  maxLength: 2000,
  description: 'An https URL',
});

export const NoticeSchema = Type.Object(
  {
    id: UuidSchema,
    title: LocalizedLabelSchema,
    text: LocalizedTextSchema,
    link: Type.Union([Type.String(), Type.Null()], { description: 'An https URL (an FAQ answer, a news item), or null' }),
    categories: Type.Array(Type.String(), { description: 'Category keys the notice concerns; empty: every category' }),
    activeFrom: Type.Union([DateTimeSchema, Type.Null()], { description: 'Shown from this instant; null: since always' }),
    activeUntil: Type.Union([DateTimeSchema, Type.Null()], { description: 'Shown until (not including) this instant; null: until removed' }),
    active: Type.Boolean({ description: 'Whether it is shown now' }),
    sortOrder: Type.Integer(),
  },
  { title: 'Notice', description: 'A notice or FAQ link shown to people before they file a case' },
);
export type NoticeDto = Static<typeof NoticeSchema>;

export const NoticeInputSchema = Type.Object(
  {
    title: LocalizedLabelSchema,
    text: LocalizedTextSchema,
    link: Type.Optional(Type.Union([HttpsLinkSchema, Type.Null()])),
    categories: Type.Optional(Type.Array(CategoryKey, { maxItems: 50, uniqueItems: true, description: 'Empty or absent: every category' })),
    activeFrom: Type.Optional(Type.Union([DateTimeSchema, Type.Null()])),
    activeUntil: Type.Optional(Type.Union([DateTimeSchema, Type.Null()])),
    sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { additionalProperties: false, title: 'NoticeInput' },
);
export type NoticeInput = Static<typeof NoticeInputSchema>;

export const ListNoticesQuerySchema = Type.Object(
  {
    category: Type.Optional(CategoryKey),
    includeInactive: Type.Optional(
      Type.Boolean({ description: 'Administrators: also notices outside their active period (others are refused 403)' }),
    ),
  },
  { additionalProperties: false },
);

export const NoticeIdParamsSchema = Type.Object({ id: UuidSchema }, { additionalProperties: false });
