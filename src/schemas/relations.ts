import { Type, type Static } from 'typebox';
import { DateTimeSchema, UuidSchema } from './common';
import { StatusSchema } from './case';

const LinkKindSchema = Type.Union([Type.Literal('related'), Type.Literal('duplicate')], {
  description: 'related: about the same matter; duplicate: the same request filed twice',
});

export const MergeCaseSchema = Type.Object(
  { into: Type.String({ format: 'uuid', description: 'The case that takes the messages and files; this one closes' }) },
  { additionalProperties: false, title: 'MergeCaseRequest' },
);

export const CreateLinkSchema = Type.Object(
  {
    caseId: Type.String({ format: 'uuid', description: 'The case to link this one to' }),
    kind: LinkKindSchema,
  },
  { additionalProperties: false, title: 'CreateCaseLinkRequest' },
);
export type CreateLinkBody = Static<typeof CreateLinkSchema>;

export const CaseLinkSchema = Type.Object(
  {
    caseId: UuidSchema,
    number: Type.String({ description: 'Case number of the linked case' }),
    status: StatusSchema,
    subject: Type.String({ description: 'Subject of the linked case' }),
    kind: LinkKindSchema,
    createdBy: Type.String({ description: 'Who linked the cases' }),
    createdAt: DateTimeSchema,
  },
  { additionalProperties: false, title: 'CaseLink', description: 'A link to another case the caller may see' },
);
export type CaseLinkDto = Static<typeof CaseLinkSchema>;

export const CaseLinkListSchema = Type.Array(CaseLinkSchema, {
  title: 'CaseLinkList',
  description: 'Links to cases the caller may see, oldest first',
});

export const LinkParamsSchema = Type.Object({ id: UuidSchema, linkedCaseId: UuidSchema }, { additionalProperties: false });
