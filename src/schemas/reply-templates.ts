import { Type, type Static } from 'typebox';
import { REPLY_PLACEHOLDERS } from '../domain/reply-templates';
import { DateTimeSchema } from './common';

const Key = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$', description: 'Lower-case letters, digits and dashes' });
const PLACEHOLDER_TEXT = REPLY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');
const Body = (language: string) =>
  Type.String({ minLength: 1, maxLength: 20000, description: `The text in ${language}; placeholders: ${PLACEHOLDER_TEXT}` });

export const ReplyTemplateKeyParamsSchema = Type.Object({ key: Key }, { additionalProperties: false });

export const ReplyTemplateListQuerySchema = Type.Object(
  {
    category: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Only the templates a case of this category may use: the global ones and its own' }),
    ),
  },
  { additionalProperties: false },
);

export const PutReplyTemplateSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'What operators see in the list' }),
    categoryKey: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], {
      description: 'The category whose cases may use it; null: every case',
    }),
    body: Type.Object({ nb: Body('Norwegian (bokmål)'), en: Body('English') }, { additionalProperties: false }),
  },
  { additionalProperties: false, title: 'ReplyTemplateInput' },
);
export type PutReplyTemplateBody = Static<typeof PutReplyTemplateSchema>;

export const ReplyTemplateSchema = Type.Object(
  {
    key: Type.String(),
    name: Type.String(),
    categoryKey: Type.Union([Type.String(), Type.Null()]),
    body: Type.Object({ nb: Type.String(), en: Type.String() }, { additionalProperties: false }),
    updatedBy: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  },
  { additionalProperties: false, title: 'ReplyTemplate' },
);
export type ReplyTemplateDto = Static<typeof ReplyTemplateSchema>;
